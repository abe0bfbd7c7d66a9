// Interval timers, waitid's siginfo and copy_file_range's offsets, as strace
// prints them (strace's itimer.c, wait.c, printsiginfo.c).
#include <fmt/format.h>

#include "kinds.hpp"

namespace sysentry::decode {
namespace {

struct Itimerval {
    int64_t interval_sec, interval_usec, value_sec, value_usec;
};
struct ChildSiginfo {  // siginfo_t's head and its _sigchld member on x86-64
    int32_t signo, errno_, code, pad;
    int32_t pid, uid, status, pad2;
    int64_t utime, stime;
};

constexpr XlatEntry kItimerWhich[] = {{0, "ITIMER_REAL"}, {1, "ITIMER_VIRTUAL"}, {2, "ITIMER_PROF"}};
constexpr XlatEntry kIdtypes[] = {{0, "P_ALL"}, {1, "P_PID"}, {2, "P_PGID"}, {3, "P_PIDFD"}};
constexpr XlatEntry kCldCodes[] = {{1, "CLD_EXITED"}, {2, "CLD_KILLED"}, {3, "CLD_DUMPED"},
                                   {4, "CLD_TRAPPED"}, {5, "CLD_STOPPED"}, {6, "CLD_CONTINUED"}};
constexpr int kSigchld = 17;
constexpr int kCldExited = 1;
constexpr int kUserHz = 100;  // clock_t ticks per second

std::optional<std::string> print_itimer_which(const CallView& c, size_t i) {
    return format_xval(kItimerWhich, uint32_t(c.arg(i)), "ITIMER_???");
}

std::optional<std::string> print_itimerval(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto v = c.mem.read_value<Itimerval>(c.arg(i));
    if (!v) return addr(c.arg(i));
    return fmt::format("{{it_interval={{tv_sec={}, tv_usec={}}}, it_value={{tv_sec={}, tv_usec={}}}}}",
                       v->interval_sec, v->interval_usec, v->value_sec, v->value_usec);
}

std::optional<std::string> print_idtype(const CallView& c, size_t i) {
    return format_xval(kIdtypes, uint32_t(c.arg(i)), "P_???");
}

// A clock_t field: the ticks, and their value in seconds when nonzero.
std::string format_clock_t(uint64_t ticks) {  // strace prints clock_t unsigned
    if (ticks == 0) return "0";
    return fmt::format("{} /* {}.{:02} s */", ticks, ticks / kUserHz, ticks % kUserHz);
}

std::optional<std::string> print_siginfo(const CallView& c, size_t i) {
    auto si = c.mem.read_value<ChildSiginfo>(c.arg(i));
    if (!si) return addr(c.arg(i));
    if (si->signo == 0) return "{}";
    std::string out = fmt::format("{{si_signo={}", signal_name(si->signo));
    if (si->signo != kSigchld) return out + fmt::format(", si_code={}}}", si->code);
    std::string status = si->code == kCldExited ? fmt::format("{}", si->status) : signal_name(si->status);
    return out + fmt::format(", si_code={}, si_pid={}, si_uid={}, si_status={}, si_utime={}, si_stime={}}}",
                             format_xval(kCldCodes, uint32_t(si->code), "CLD_???"), si->pid, si->uid, status,
                             format_clock_t(si->utime), format_clock_t(si->stime));
}

// copy_file_range's offsets: [10] or NULL.
std::optional<std::string> print_loff_in(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto v = c.mem.read_value<int64_t>(c.arg(i));
    return v ? fmt::format("[{}]", *v) : addr(c.arg(i));
}

}  // namespace

const ArgKind kItimerWhichArg{When::Entry, print_itimer_which};
const ArgKind kItimervalIn{When::Entry, print_itimerval};
const ArgKind kItimervalOut{When::ExitOnSuccess, print_itimerval};
const ArgKind kIdtype{When::Entry, print_idtype};
const ArgKind kSiginfoOut{When::ExitOnSuccess, print_siginfo};
const ArgKind kLoffIn{When::Entry, print_loff_in};

}  // namespace sysentry::decode
