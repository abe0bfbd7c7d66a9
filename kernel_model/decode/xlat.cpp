// strace's "xlat" rendering of enumerations and flag sets.
#include <fmt/format.h>

#include "decode.hpp"

namespace sysentry::decode {

std::optional<std::string_view> xlat_find(Xlat table, uint64_t value) {
    for (const auto& e : table)
        if (e.value == value) return e.name;
    return std::nullopt;
}

std::string format_xval(Xlat table, uint64_t value, std::string_view unknown) {
    if (auto name = xlat_find(table, value)) return std::string(*name);
    return fmt::format("{} /* {} */", hex(value), unknown);
}

std::string format_flags(Xlat table, uint64_t flags, std::string_view unknown) {
    if (flags == 0) {
        if (auto zero = xlat_find(table, 0)) return std::string(*zero);
        return "0";
    }
    std::string out;
    uint64_t left = flags;
    // Table order, not bit order: multi-bit names (O_SYNC) come before their parts.
    for (const auto& e : table) {
        if (e.value == 0 || (left & e.value) != e.value) continue;
        if (!out.empty()) out += '|';
        out += e.name;
        left &= ~e.value;
    }
    if (out.empty()) return unknown.empty() ? hex(flags) : fmt::format("{} /* {} */", hex(flags), unknown);
    if (left != 0) out += "|" + hex(left);
    return out;
}

}  // namespace sysentry::decode
