// Signal numbers, masks, sigaction and wait statuses.
#include <fmt/format.h>

#include <bit>

#include "kinds.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry::decode {
namespace {

constexpr int kSigRtMin = 32;   // the kernel's SIGRTMIN (glibc reserves 32..33 for itself)
constexpr int kSigRtMax = 64;
constexpr size_t kSigsetBytes = kSigRtMax / 8;

constexpr std::string_view kSignalNames[] = {
    "",        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",  "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",  "SIGSYS",
    "SIGRTMIN",
};

// x86-64 struct kernel_sigaction: handler, flags, restorer, mask.
struct KernelSigaction {
    uint64_t handler, flags, restorer, mask;
};
constexpr uint64_t kSaRestorer = 0x04000000;
constexpr XlatEntry kSaHandlers[] = {{0, "SIG_DFL"}, {1, "SIG_IGN"}};
constexpr XlatEntry kSaFlags[] = {
    {0x04000000, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"}, {0x10000000, "SA_RESTART"},
    {0x20000000, "SA_INTERRUPT"}, {0x40000000, "SA_NODEFER"}, {0x80000000, "SA_RESETHAND"},
    {4, "SA_SIGINFO"}, {1, "SA_NOCLDSTOP"}, {2, "SA_NOCLDWAIT"},
};
constexpr XlatEntry kSigprocmaskHows[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};

std::optional<std::string> print_signal(const CallView& c, size_t i) { return signal_name(c.int_arg(i)); }

std::optional<std::string> print_sigset(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto mask = c.mem.read_value<uint64_t>(c.arg(i));
    if (!mask) return addr(c.arg(i));
    return format_sigset(*mask);
}

std::optional<std::string> print_sigprocmask_how(const CallView& c, size_t i) {
    return format_xval(kSigprocmaskHows, uint32_t(c.arg(i)), "SIG_???");
}

std::optional<std::string> print_sigaction(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto sa = c.mem.read_value<KernelSigaction>(c.arg(i));
    if (!sa) return addr(c.arg(i));
    const auto handler = xlat_find(kSaHandlers, sa->handler);
    std::string out = fmt::format("{{sa_handler={}, sa_mask={}, sa_flags={}",
                                  handler ? std::string(*handler) : hex(sa->handler),
                                  format_sigset(sa->mask), format_flags(kSaFlags, sa->flags, "SA_???"));
    if (sa->flags & kSaRestorer) out += ", sa_restorer=" + addr(sa->restorer);
    return out + "}";
}

// Decodes a wait status word the way the W* macros would read it.
std::string format_wait_status(uint32_t s) {
    std::string out;
    if (s == 0xffff) return "[{WIFCONTINUED(s)}]";
    if ((s & 0xff) == 0x7f) {  // WIFSTOPPED
        const uint32_t sig = (s >> 8) & 0xff;
        out = fmt::format("[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}{}}}", signal_name(int(sig & 0x7f)),
                          (sig & 0x80) ? " | 0x80" : "");
        s &= ~uint32_t{0xffff};
    } else if ((s & 0x7f) != 0) {  // WIFSIGNALED
        out = fmt::format("[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}", signal_name(int(s & 0x7f)),
                          (s & 0x80) ? " && WCOREDUMP(s)" : "");
        s &= ~uint32_t{0xff};
    } else {  // WIFEXITED
        out = fmt::format("[{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}", (s >> 8) & 0xff);
        s &= ~uint32_t{0xff00};
    }
    if (s != 0) out += fmt::format(" | {:#x}", s);
    return out + "]";
}

std::optional<std::string> print_wait_status(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    // A zero return (WNOHANG, nobody exited) leaves the status untouched.
    if (c.ret == 0) return addr(c.arg(i));
    auto s = c.mem.read_value<uint32_t>(c.arg(i));
    if (!s) return addr(c.arg(i));
    return format_wait_status(*s);
}

}  // namespace

std::string signal_name(int sig) {
    if (sig > 0 && sig <= kSigRtMin) return std::string(kSignalNames[sig]);
    if (sig > kSigRtMin && sig <= kSigRtMax) return fmt::format("SIGRT_{}", sig - kSigRtMin);
    return fmt::format("{}", sig);
}

// strace shows the complement ("~[...]") once 2/3 or more of the bits are set.
std::string format_sigset(uint64_t mask, size_t bytes) {
    const size_t bits = (bytes >= kSigsetBytes ? kSigsetBytes : (bytes + 3) / 4 * 4) * 8;
    if (bits < 64) mask &= (uint64_t{1} << bits) - 1;
    std::string out;
    if (size_t(std::popcount(mask)) >= bits * 2 / 3) {
        out = "~";
        mask = ~mask;
        if (bits < 64) mask &= (uint64_t{1} << bits) - 1;
    }
    out += "[";
    bool first = true;
    for (size_t b = 0; b < bits; ++b) {
        if (!(mask & (uint64_t{1} << b))) continue;
        if (!first) out += " ";
        first = false;
        const std::string name = signal_name(int(b + 1));
        out += name.starts_with("SIG") ? name.substr(3) : name;
    }
    return out + "]";
}

// rt_sigreturn({mask=[]}): the mask its frame restores, uc_sigmask of the
// ucontext the caller's RSP points at (the handler's ret popped pretcode).
std::optional<std::string> print_sigreturn_mask(const CallView& c, size_t) {
    constexpr uint64_t kUcSigmask = 8 + 8 + 24 + 256;  // uc_flags, uc_link, uc_stack, uc_mcontext
    auto mask = c.mem.read_value<uint64_t>(c.sp + kUcSigmask);
    if (!mask) return std::nullopt;
    return "{mask=" + format_sigset(*mask) + "}";
}

const ArgKind kSignal{When::Entry, print_signal};
const ArgKind kSigreturnMask{When::Entry, print_sigreturn_mask};
const ArgKind kSigsetIn{When::Entry, print_sigset};
const ArgKind kSigsetOut{When::ExitOnSuccess, print_sigset};
const ArgKind kSigprocmaskHow{When::Entry, print_sigprocmask_how};
const ArgKind kSigactionIn{When::Entry, print_sigaction};
const ArgKind kSigactionOut{When::ExitOnSuccess, print_sigaction};
const ArgKind kWaitStatus{When::ExitOnSuccess, print_wait_status};

}  // namespace sysentry::decode

namespace sysentry {

std::string strace_signal_name(int sig) { return decode::signal_name(sig); }

std::string strace_exit_notice(int exit_code) { return fmt::format("+++ exited with {} +++", exit_code); }

std::string strace_killed_notice(int sig, bool core_dumped) {
    return fmt::format("+++ killed by {}{} +++", decode::signal_name(sig), core_dumped ? " (core dumped)" : "");
}

std::string strace_pid_prefix(int pid) { return fmt::format("[pid {:5}] ", pid); }

}  // namespace sysentry
