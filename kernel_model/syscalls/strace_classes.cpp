// strace's syscall classes (-e trace=%file, ...): the data is
// table/strace_classes.inc, strace's own flags column; this file only names
// the flags and looks them up.
#include <algorithm>
#include <array>
#include <string_view>

#include "sysentry/syscall_catalogue.hpp"

namespace sysentry {
namespace {

// strace's flag names, as the .inc writes them.
constexpr uint32_t TD = kClassDesc, TF = kClassFile, TI = kClassIpc, TN = kClassNetwork, TP = kClassProcess,
                   TS = kClassSignal, TM = kClassMemory, TC = kClassCreds, TCL = kClassClock, PU = kClassPure,
                   TST = kClassStat, TLST = kClassLstat, TFST = kClassFstat, TSTA = kClassStatLike,
                   TSF = kClassStatfs, TFSF = kClassFstatfs, TSFA = kClassStatfsLike;

struct ClassRow {
    std::string_view name;
    uint32_t classes;
};

constexpr ClassRow kRows[] = {
#define SYSENTRY_STRACE_CLASSES(name, flags) ClassRow{#name, flags},
#include "table/strace_classes.inc"
#undef SYSENTRY_STRACE_CLASSES
};

constexpr std::pair<std::string_view, uint32_t> kClassNames[] = {
    {"desc", kClassDesc},     {"file", kClassFile},       {"ipc", kClassIpc},         {"network", kClassNetwork},
    {"net", kClassNetwork},   {"process", kClassProcess}, {"signal", kClassSignal},   {"memory", kClassMemory},
    {"creds", kClassCreds},   {"clock", kClassClock},     {"pure", kClassPure},       {"stat", kClassStat},
    {"lstat", kClassLstat},   {"fstat", kClassFstat},     {"%stat", kClassStatLike},  {"statfs", kClassStatfs},
    {"fstatfs", kClassFstatfs}, {"%statfs", kClassStatfsLike},
};

}  // namespace

uint32_t strace_classes(std::string_view name) {
    auto it = std::ranges::find(kRows, name, &ClassRow::name);
    return it == std::end(kRows) ? 0 : it->classes;
}

std::optional<uint32_t> strace_class(std::string_view name) {
    for (auto [n, bit] : kClassNames)
        if (n == name) return bit;
    return std::nullopt;
}

}  // namespace sysentry
