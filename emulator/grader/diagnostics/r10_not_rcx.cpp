// r10-not-rcx: the fourth argument placed in rcx, as the C calling convention
// would, although SYSCALL overwrites rcx and the kernel reads r10.
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

// x86-64 calls whose fourth argument (r10) matters.
bool uses_fourth_argument(std::string_view name) {
    static const std::set<std::string_view> kCalls = {
        "mmap", "pread64", "pwrite64", "rt_sigaction", "rt_sigprocmask", "sendto", "recvfrom", "wait4", "openat",
        "newfstatat", "renameat", "renameat2", "linkat", "fchmodat", "fchownat", "utimensat", "mknodat", "epoll_ctl",
        "epoll_wait", "epoll_pwait", "accept4", "socketpair", "setsockopt", "getsockopt", "splice", "tee", "fallocate",
        "sendfile", "fadvise64", "clone", "mremap", "prlimit64", "copy_file_range", "statx", "ppoll", "pselect6",
        "futex", "ptrace", "faccessat2", "openat2", "preadv", "pwritev", "waitid", "rt_sigtimedwait", "timerfd_settime",
        "signalfd4", "name_to_handle_at", "sync_file_range", "process_vm_readv", "process_vm_writev"};
    return kCalls.contains(name);
}

class R10NotRcx final : public Detector {
public:
    explicit R10NotRcx(const ProgramFacts& facts) : facts_(facts) {}
    void instruction(const ExecutedInstruction& i) override {
        if (!i.facts.is_syscall) {
            written_ |= i.facts.writes;
            return;
        }
        suspect_ = facts_.in_student_code(i.address) && (written_ & bit(Gpr::rcx)) && !(written_ & bit(Gpr::r10));
        rcx_ = i.reg(Gpr::rcx);
        r10_ = i.reg(Gpr::r10);
        written_ = 0;
    }
    void event(const Event& e) override {
        auto* call = std::get_if<SyscallEntryEvent>(&e);
        if (!call || !std::exchange(suspect_, false)) return;
        if (call->abi == SyscallAbi::x86_64 && uses_fourth_argument(call->name))
            found(fmt::format("{}: the 4th argument was set in rcx ({:#x}), but the kernel read r10 ({:#x})", call->name,
                              rcx_, r10_));
    }

private:
    const ProgramFacts& facts_;
    uint32_t written_ = 0;  // registers written since the last syscall
    bool suspect_ = false;
    uint64_t rcx_ = 0, r10_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_r10_not_rcx(const ProgramFacts& facts) { return std::make_unique<R10NotRcx>(facts); }

}  // namespace sysentry::grading
