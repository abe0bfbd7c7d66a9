// Signal bookkeeping services: dispositions, the blocked mask, the pending
// set, the alternate stack, and rt_sigqueueinfo. Taking pending signals
// (building frames, running handlers) is the kernel's job on the way back to
// ring 3 (kernel.cpp, process/signal_delivery.cpp).
#include <cerrno>
#include <csignal>
#include <map>
#include <optional>

#include "sysentry/kernel.hpp"
#include "sysentry/signal_delivery.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/machine.hpp"
#include "sysentry/process.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

namespace {

constexpr int kNsig = 64;                  // _NSIG
constexpr uint64_t kSigsetSize = 8;        // sizeof(sigset_t) in the kernel: 64 bits
constexpr uint64_t sig_bit(int sig) { return uint64_t{1} << (sig - 1); }
constexpr uint64_t kUnblockable = sig_bit(SIGKILL) | sig_bit(SIGSTOP);

// UAPI_SA_FLAGS: the sa_flags bits Linux keeps; the rest read back as 0, which
// is how programs detect unsupported flags (SA_UNSUPPORTED).
constexpr uint64_t kSaExposeTagbits = 0x800;
constexpr uint64_t kSaRestorer = 0x04000000;
constexpr uint64_t kUapiSaFlags = SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART |
                                  SA_NODEFER | uint64_t(uint32_t(SA_RESETHAND)) | kSaExposeTagbits |
                                  kSaRestorer;

constexpr int kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;  // SIG_BLOCK, ...

constexpr int kSsOnstack = 1, kSsDisable = 2;                 // SS_ONSTACK, SS_DISABLE
constexpr uint32_t kSsAutodisarm = 1u << 31;                  // SS_AUTODISARM (SS_FLAG_BITS)
constexpr uint64_t kMinSigStkSz = 2048;                       // MINSIGSTKSZ on x86

struct GuestStack {  // stack_t on x86-64
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};
static_assert(sizeof(GuestStack) == 24);

int64_t sys_rt_sigaction(SyscallContext& ctx) {
    int sig = ctx.iarg(0);
    uint64_t act = ctx.arg(1), oact = ctx.arg(2);
    if (ctx.arg(3) != kSigsetSize) return -EINVAL;
    std::optional<SigAction> wanted;
    if (act) {
        wanted = ctx.process.mm.read_value<SigAction>(act);
        if (!wanted) return -EFAULT;
    }
    // do_sigaction(): SIGKILL and SIGSTOP may be queried but never changed.
    if (sig < 1 || sig > kNsig || (act && (sig == SIGKILL || sig == SIGSTOP))) return -EINVAL;
    SigAction old = ctx.process.actions[sig];
    if (wanted) {
        wanted->flags &= kUapiSaFlags;
        wanted->mask &= ~kUnblockable;
        ctx.process.actions[sig] = *wanted;
        discard_if_ignored(ctx.process, sig);
    }
    // Like Linux, a bad oact fails the call after the new action took effect.
    if (oact && !ctx.process.mm.write_value(oact, old)) return -EFAULT;
    return 0;
}

int64_t sys_rt_sigprocmask(SyscallContext& ctx) {
    int how = ctx.iarg(0);
    uint64_t set = ctx.arg(1), oset = ctx.arg(2);
    if (ctx.arg(3) != kSigsetSize) return -EINVAL;
    uint64_t old = ctx.process.blocked;
    if (set) {
        auto bits = ctx.process.mm.read_value<uint64_t>(set);
        if (!bits) return -EFAULT;
        uint64_t change = *bits & ~kUnblockable;
        switch (how) {
        case kSigBlock: ctx.process.blocked = old | change; break;
        case kSigUnblock: ctx.process.blocked = old & ~change; break;
        case kSigSetmask: ctx.process.blocked = change; break;
        default: return -EINVAL;
        }
    }
    if (oset && !ctx.process.mm.write_value(oset, old)) return -EFAULT;
    return 0;
}

// The blocked signals waiting (the others are taken on the way back to ring 3).
// Linux accepts any size up to sizeof(sigset_t) and copies that many bytes.
int64_t sys_rt_sigpending(SyscallContext& ctx) {
    uint64_t size = ctx.arg(1);
    if (size > kSigsetSize) return -EINVAL;
    const uint64_t pending = ctx.process.pending & ctx.process.blocked;  // the rest were delivered
    if (size && !ctx.process.mm.write(ctx.arg(0), &pending, size)) return -EFAULT;
    return 0;
}

// rt_sigreturn: the handler is done; pt_regs and the mask come back from its frame.
int64_t sys_rt_sigreturn(SyscallContext& ctx) {
    int64_t ax = restore_sigframe(ctx.process, ctx.regs);
    if (ax == -EFAULT) ctx.exit = SyscallContext::Exit{0, SIGSEGV};
    return ax;
}

// pause: sleep until a signal's handler has run (-EINTR), via the scheduler.
int64_t sys_pause(SyscallContext&) { return kRetryLater; }

// rt_sigsuspend: wait with a temporary mask; the handler's frame restores the old one.
int64_t sys_rt_sigsuspend(SyscallContext& ctx) {
    if (ctx.arg(1) != kSigsetSize) return -EINVAL;
    auto mask = ctx.process.mm.read_value<uint64_t>(ctx.arg(0));
    if (!mask) return -EFAULT;
    ctx.process.saved_sigmask = ctx.process.blocked;
    ctx.process.blocked = *mask & ~kUnblockable;
    return kRetryLater;
}

// rt_sigqueueinfo and rt_tgsigqueueinfo: a signal with the caller's own
// siginfo (sigqueue's si_value). Only a process signalling itself may claim a
// kernel si_code or SI_TKILL (do_rt_sigqueueinfo).
int64_t queue_signal(SyscallContext& ctx, Process* target, int sig, uint64_t uinfo) {
    constexpr int kSiTkill = -6;
    struct Head { int32_t signo, errno_, code, pad; int32_t pid; uint32_t uid; uint64_t value; };
    auto info = ctx.process.mm.read_value<Head>(uinfo);
    if (!info) return -EFAULT;
    if (sig < 0 || sig > kNsig) return -EINVAL;
    if (!target || target->state == TaskState::zombie) return -ESRCH;
    if ((info->code >= 0 || info->code == kSiTkill) && target->tgid != ctx.process.tgid) return -EPERM;
    if (sig == 0) return 0;
    if (sig == SIGKILL) {
        if (target == &ctx.process) ctx.exit = SyscallContext::Exit{0, sig};
        else ctx.kernel.kill_process(*target, sig);
        return 0;
    }
    post_signal(*target, sig, {info->code, info->pid, 0, 0, info->value});
    return 0;
}

int64_t sys_rt_sigqueueinfo(SyscallContext& ctx) {
    return queue_signal(ctx, ctx.kernel.find(ctx.iarg(0)), ctx.iarg(1), ctx.arg(2));
}

int64_t sys_rt_tgsigqueueinfo(SyscallContext& ctx) {
    Process* t = ctx.kernel.find(ctx.iarg(1));
    if (ctx.iarg(0) <= 0 || ctx.iarg(1) <= 0) return -EINVAL;
    return queue_signal(ctx, t && t->tgid == ctx.iarg(0) ? t : nullptr, ctx.iarg(2), ctx.arg(3));
}

uint64_t user_sp(SyscallContext& ctx) {
    return ctx.regs.sp;
}

bool on_sig_stack(const AltStack& alt, uint64_t sp) {
    if (alt.flags & kSsAutodisarm) return false;  // by construction never "on" it
    return sp > alt.sp && sp - alt.sp <= alt.size;
}

// do_sigaltstack(): report the old state, then validate and install the new.
int64_t change_altstack(AltStack& alt, const GuestStack& ss, uint64_t sp) {
    if (on_sig_stack(alt, sp)) return -EPERM;
    uint32_t flags = uint32_t(ss.flags);
    uint32_t mode = flags & ~kSsAutodisarm;
    if (mode != uint32_t(kSsDisable) && mode != uint32_t(kSsOnstack) && mode != 0) return -EINVAL;
    if (alt.sp == ss.sp && alt.size == ss.size && alt.flags == flags) return 0;
    if (mode == uint32_t(kSsDisable)) {
        alt = AltStack{0, 0, flags};
        return 0;
    }
    if (ss.size < kMinSigStkSz) return -ENOMEM;
    alt = AltStack{ss.sp, ss.size, flags};
    return 0;
}

int64_t sys_sigaltstack(SyscallContext& ctx) {
    uint64_t uss = ctx.arg(0), uoss = ctx.arg(1);
    std::optional<GuestStack> wanted;
    if (uss) {
        wanted = ctx.process.mm.read_value<GuestStack>(uss);
        if (!wanted) return -EFAULT;
    }
    AltStack& alt = ctx.process.altstack;
    uint64_t sp = user_sp(ctx);
    GuestStack old{};
    old.sp = alt.sp;
    old.size = alt.size;
    int32_t state = alt.size == 0 ? kSsDisable : (on_sig_stack(alt, sp) ? kSsOnstack : 0);
    old.flags = int32_t(uint32_t(state) | (alt.flags & kSsAutodisarm));
    if (wanted) {
        if (int64_t err = change_altstack(alt, *wanted, sp)) return err;
    }
    if (uoss && !ctx.process.mm.write_value(uoss, old)) return -EFAULT;
    return 0;
}

const ServiceRow kSignalServices[] = {
    {"rt_sigaction", sys_rt_sigaction},
    {"rt_sigprocmask", sys_rt_sigprocmask, Support::full, "", true},
    {"rt_sigpending", sys_rt_sigpending, Support::full, "", true},
    {"rt_sigreturn", sys_rt_sigreturn, Support::partial, "no FPU state in the frame: delivery is at system-call boundaries"},
    {"pause", sys_pause, Support::full, "", true},
    {"rt_sigsuspend", sys_rt_sigsuspend},
    {"sigaltstack", sys_sigaltstack},
    {"rt_sigqueueinfo", sys_rt_sigqueueinfo, Support::partial, "one pending instance per signal, real-time ones too"},
    {"rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo, Support::partial, "one pending instance per signal, real-time ones too"},
};

}  // namespace

std::span<const ServiceRow> signal_services() { return kSignalServices; }

}  // namespace sysentry
