// siginfo_t as strace prints it (printsiginfo.c's print_si_info): in the
// "--- SIGUSR1 {...} ---" lines and as rt_sigqueueinfo's argument.
#include <cstring>
#include <fmt/format.h>

#include "kinds.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry::decode {
namespace {

constexpr int kSigill = 4, kSigtrap = 5, kSigbus = 7, kSigfpe = 8, kSigsegv = 11, kSigchld = 17;
constexpr int kSiUser = 0, kSiTkill = -6, kSiTimer = -2;
constexpr int kCldExited = 1;
constexpr int kUserHz = 100;  // clock_t ticks per second

// si_code values any signal may carry (sent by a process, or SI_KERNEL).
constexpr XlatEntry kSenderCodes[] = {
    {uint32_t(0), "SI_USER"},      {uint32_t(-1), "SI_QUEUE"},     {uint32_t(-2), "SI_TIMER"},
    {uint32_t(-3), "SI_MESGQ"},    {uint32_t(-4), "SI_ASYNCIO"},   {uint32_t(-5), "SI_SIGIO"},
    {uint32_t(-6), "SI_TKILL"},    {uint32_t(-7), "SI_DETHREAD"},  {uint32_t(-60), "SI_ASYNCNL"},
    {0x80, "SI_KERNEL"},
};
constexpr XlatEntry kCldCodes[] = {{1, "CLD_EXITED"}, {2, "CLD_KILLED"}, {3, "CLD_DUMPED"},
                                   {4, "CLD_TRAPPED"}, {5, "CLD_STOPPED"}, {6, "CLD_CONTINUED"}};
constexpr XlatEntry kSegvCodes[] = {{1, "SEGV_MAPERR"}, {2, "SEGV_ACCERR"}, {3, "SEGV_BNDERR"}, {4, "SEGV_PKUERR"}};
constexpr XlatEntry kIllCodes[] = {{1, "ILL_ILLOPC"}, {2, "ILL_ILLOPN"}, {3, "ILL_ILLADR"}, {4, "ILL_ILLTRP"},
                                   {5, "ILL_PRVOPC"}, {6, "ILL_PRVREG"}, {7, "ILL_COPROC"}, {8, "ILL_BADSTK"}};
constexpr XlatEntry kFpeCodes[] = {{1, "FPE_INTDIV"}, {2, "FPE_INTOVF"}, {3, "FPE_FLTDIV"}, {4, "FPE_FLTOVF"},
                                   {5, "FPE_FLTUND"}, {6, "FPE_FLTRES"}, {7, "FPE_FLTINV"}, {8, "FPE_FLTSUB"}};
constexpr XlatEntry kBusCodes[] = {{1, "BUS_ADRALN"}, {2, "BUS_ADRERR"}, {3, "BUS_OBJERR"}};
constexpr XlatEntry kTrapCodes[] = {{1, "TRAP_BRKPT"}, {2, "TRAP_TRACE"}};

Xlat codes_of(int signo) {
    switch (signo) {
    case kSigchld: return kCldCodes;
    case kSigsegv: return kSegvCodes;
    case kSigill: return kIllCodes;
    case kSigfpe: return kFpeCodes;
    case kSigbus: return kBusCodes;
    case kSigtrap: return kTrapCodes;
    default: return {};
    }
}

std::string code_name(int signo, int code) {
    if (auto n = xlat_find(kSenderCodes, uint32_t(code))) return std::string(*n);
    if (auto n = xlat_find(codes_of(signo), uint32_t(code))) return std::string(*n);
    return fmt::format("{}", code);
}

std::string clock_ticks(int64_t ticks) {  // a clock_t, with its value in seconds when nonzero
    if (ticks == 0) return "0";
    return fmt::format("{} /* {}.{:02} s */", ticks, ticks / kUserHz, ticks % kUserHz);
}

std::string source(const StraceSiginfo& si) { return fmt::format(", si_pid={}, si_uid={}", si.pid, si.uid); }

std::string value(const StraceSiginfo& si) {
    return fmt::format(", si_int={}, si_ptr={}", int32_t(si.value), si.value ? fmt::format("{:#x}", si.value) : "NULL");
}

// The fields after si_code: what a sender fills (si_code <= 0), else what the signal's kind has.
std::string details(const StraceSiginfo& si) {
    if (si.code <= 0) {
        if (si.code == kSiUser || si.code == kSiTkill) return source(si);
        if (si.code == kSiTimer) return value(si);
        return source(si) + (si.value ? value(si) : "");
    }
    switch (si.signo) {
    case kSigchld: {
        std::string status = si.code == kCldExited ? fmt::format("{}", si.status) : signal_name(si.status);
        return source(si) + fmt::format(", si_status={}, si_utime={}, si_stime={}", status,
                                        clock_ticks(si.utime), clock_ticks(si.stime));
    }
    case kSigill: case kSigfpe: case kSigsegv: case kSigbus:
        return si.address ? fmt::format(", si_addr={:#x}", si.address) : ", si_addr=NULL";
    default:
        return (si.pid || si.uid ? source(si) : "") + (si.value ? value(si) : "");
    }
}

// rt_sigqueueinfo's siginfo, read from the caller.
std::optional<std::string> print_siginfo_in(const CallView& c, size_t i) {
    uint8_t raw[48] = {};  // the head and the union's first 32 bytes: every field printed
    if (!c.mem.read(c.arg(i), raw, sizeof raw)) return addr(c.arg(i));
    auto at = [&raw]<typename T>(size_t offset, T) {
        T v;
        std::memcpy(&v, raw + offset, sizeof v);
        return v;
    };
    StraceSiginfo si{at(0, int32_t{}), at(8, int32_t{})};
    si.pid = at(16, int32_t{}), si.uid = at(20, uint32_t{});
    si.address = at(16, uint64_t{});
    si.status = at(24, int32_t{}), si.value = at(24, uint64_t{});
    si.utime = at(32, int64_t{}), si.stime = at(40, int64_t{});
    return strace_siginfo(si);
}

}  // namespace

const ArgKind kSiginfoIn{When::Entry, print_siginfo_in};

}  // namespace sysentry::decode

namespace sysentry {

std::string strace_siginfo(const StraceSiginfo& si) {
    return fmt::format("{{si_signo={}, si_code={}{}}}", decode::signal_name(si.signo),
                       decode::code_name(si.signo, si.code), decode::details(si));
}

}  // namespace sysentry
