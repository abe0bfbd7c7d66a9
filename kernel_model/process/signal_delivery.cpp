#include "sysentry/signal_delivery.hpp"

#include <csignal>
#include <cstddef>
#include <cstring>

#include "sysentry/kernel.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

using namespace x86;

namespace {

constexpr uint64_t kSaRestorer = 0x04000000;
constexpr uint64_t kRedZone = 128;  // the System V ABI's red zone below a user RSP
constexpr uint64_t kUnblockable = signal_bit(SIGKILL) | signal_bit(SIGSTOP);
constexpr int kSigRtMin = 32;  // the kernel's SIGRTMIN: signals below it coalesce
// The RFLAGS a signal return may restore (FIX_EFLAGS).
constexpr uint64_t kFixEflags = kFlagCf | kFlagPf | kFlagAf | kFlagZf | kFlagSf | kFlagTf | kFlagDf | kFlagOf |
                                kFlagRf | kFlagAc | kFlagNt;

// struct sigcontext (arch/x86/include/uapi/asm/sigcontext.h, 64-bit).
struct SigContext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, di, si, bp, bx, dx, ax, cx, sp, ip, flags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct UContext {
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    SigContext mcontext;
    uint64_t sigmask;
};

struct SigInfo {  // the fields of siginfo_t a kill() fills; 128 bytes in all
    int32_t signo, errno_, code, pad;
    int32_t pid;
    uint32_t uid;
    uint8_t rest[128 - 24];
};
static_assert(sizeof(SigInfo) == 128);

// The union after si_code: a fault's si_addr; a sender's si_pid and si_uid,
// then sigqueue's si_value or SIGCHLD's si_status.
void fill_siginfo(SigInfo& info, int sig, const Process::Source& from) {
    constexpr int kCldFirst = 1, kCldLast = 6;  // CLD_EXITED .. CLD_CONTINUED
    info.signo = sig;
    info.code = from.code;
    bool child = sig == SIGCHLD && from.code >= kCldFirst && from.code <= kCldLast;
    if (from.code > 0 && from.code != SI_KERNEL && !child) {  // a fault
        std::memcpy(&info.pid, &from.address, sizeof(uint64_t));
        return;
    }
    if (from.code == SI_KERNEL) return;
    info.pid = from.pid;
    if (child) std::memcpy(info.rest, &from.status, sizeof(int32_t));
    if (from.code == SI_QUEUE) std::memcpy(info.rest, &from.value, sizeof(uint64_t));
}

struct RtSigFrame {
    uint64_t pretcode;  // the handler returns here: sa_restorer, which calls rt_sigreturn
    UContext uc;
    SigInfo info;
};
static_assert(offsetof(RtSigFrame, uc) == 8);

SigContext save_context(const PtRegs& r, uint64_t mask) {
    SigContext c{};
    c.r8 = r.r8, c.r9 = r.r9, c.r10 = r.r10, c.r11 = r.r11, c.r12 = r.r12, c.r13 = r.r13;
    c.r14 = r.r14, c.r15 = r.r15, c.di = r.di, c.si = r.si, c.bp = r.bp, c.bx = r.bx;
    c.dx = r.dx, c.ax = r.ax, c.cx = r.cx, c.sp = r.sp, c.ip = r.ip, c.flags = r.flags;
    c.cs = uint16_t(r.cs), c.ss = uint16_t(r.ss);
    c.oldmask = mask;
    return c;
}

}  // namespace

SignalAction signal_action(const Process& p, int sig) {
    uint64_t handler = p.actions[sig].handler;
    if (sig != SIGKILL && sig != SIGSTOP) {
        if (handler == uint64_t(SIG_IGN)) return SignalAction::ignore;
        if (handler != uint64_t(SIG_DFL)) return SignalAction::handler;
    }
    switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT: return SignalAction::ignore;
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: return SignalAction::stop;
    default: return SignalAction::terminate;
    }
}

void post_signal(Process& p, int sig, SignalSource from) {
    if (sig == SIGKILL || (sig < kSigRtMin && (p.pending & signal_bit(sig)))) return;
    p.pending |= signal_bit(sig);
    p.signal_sources[sig] = {from.code, from.pid, from.address, from.status, from.value};
}

int next_deliverable(const Process& p) {
    uint64_t ready = p.pending & ~(p.blocked & ~kUnblockable);
    return ready ? __builtin_ctzll(ready) + 1 : 0;
}

int next_interrupting(const Process& p) {
    for (uint64_t ready = p.pending & ~(p.blocked & ~kUnblockable); ready; ready &= ready - 1) {
        int sig = __builtin_ctzll(ready) + 1;
        SignalAction a = signal_action(p, sig);
        if (a == SignalAction::handler || a == SignalAction::terminate) return sig;
    }
    return 0;
}

void discard_if_ignored(Process& p, int sig) {
    if (signal_action(p, sig) == SignalAction::ignore) p.pending &= ~signal_bit(sig);
}

bool deliver_signal(Process& p, PtRegs& regs, int sig) {
    p.pending &= ~signal_bit(sig);
    SigAction& act = p.actions[sig];
    if (!(act.flags & kSaRestorer)) return false;  // x86-64 handlers need one
    uint64_t sp = regs.sp - kRedZone;
    bool on_altstack = regs.sp - p.altstack.sp < p.altstack.size;
    if ((act.flags & SA_ONSTACK) && p.altstack.size && !on_altstack) sp = p.altstack.sp + p.altstack.size;
    sp = ((sp - sizeof(RtSigFrame)) & ~uint64_t(15)) - 8;  // as after a call: (rsp + 8) is 16-aligned

    RtSigFrame frame{};
    frame.pretcode = act.restorer;
    frame.uc.ss_sp = p.altstack.sp;
    frame.uc.ss_size = p.altstack.size;
    frame.uc.ss_flags = int32_t(p.altstack.flags);
    const uint64_t mask = p.saved_sigmask.value_or(p.blocked);  // sigsuspend's mask ends with the handler
    p.saved_sigmask.reset();
    frame.uc.mcontext = save_context(regs, mask);
    frame.uc.sigmask = mask;
    fill_siginfo(frame.info, sig, p.signal_sources[sig]);
    if (!p.mm.write(sp, &frame, sizeof frame)) return false;

    regs.ip = act.handler;
    regs.sp = sp;
    regs.di = uint64_t(sig);
    regs.si = sp + offsetof(RtSigFrame, info);
    regs.dx = sp + offsetof(RtSigFrame, uc);
    regs.ax = 0;
    regs.flags &= ~(kFlagDf | kFlagRf | kFlagTf);
    regs.cs = kUserCs;
    regs.ss = kUserDs;
    p.blocked = mask | act.mask | (act.flags & SA_NODEFER ? 0 : signal_bit(sig));
    p.blocked &= ~kUnblockable;
    if (act.flags & SA_RESETHAND) act = SigAction{};
    return true;
}

int64_t restore_sigframe(Process& p, PtRegs& regs) {
    RtSigFrame frame{};
    if (!p.mm.read(regs.sp - 8, &frame, sizeof frame)) return -EFAULT;
    const SigContext& c = frame.uc.mcontext;
    regs.r8 = c.r8, regs.r9 = c.r9, regs.r10 = c.r10, regs.r11 = c.r11, regs.r12 = c.r12;
    regs.r13 = c.r13, regs.r14 = c.r14, regs.r15 = c.r15, regs.di = c.di, regs.si = c.si;
    regs.bp = c.bp, regs.bx = c.bx, regs.dx = c.dx, regs.ax = c.ax, regs.cx = c.cx;
    regs.sp = c.sp, regs.ip = c.ip;
    regs.flags = (regs.flags & ~kFixEflags) | (c.flags & kFixEflags);
    regs.cs = kUserCs;  // a 64-bit task returns to 64-bit code
    regs.ss = kUserDs;
    regs.orig_ax = uint64_t(-1);  // no system call to restart
    p.blocked = frame.uc.sigmask & ~kUnblockable;
    return int64_t(c.ax);
}

}  // namespace sysentry
