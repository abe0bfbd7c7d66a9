// Signals with handlers: pending sets, the x86-64 rt_sigframe, and the return
// through rt_sigreturn (arch/x86/kernel/signal_64.c, kernel/signal.c).
#pragma once
#include <cstdint>

namespace sysentry {

class Kernel;
struct Process;
struct PtRegs;

constexpr uint64_t signal_bit(int sig) { return uint64_t{1} << (sig - 1); }

// Where a signal came from, for its siginfo.
struct SignalSource {
    int code = 0;          // SI_USER (kill), SI_TKILL (tkill/tgkill), or a fault's si_code
    int pid = 0;           // the sender
    uint64_t address = 0;  // a fault's si_addr
};

// True when `sig` sent to `p` has a handler: it is now pending. False when its
// default action or SIG_IGN applies (the caller acts on that).
bool post_signal(Process& p, int sig, SignalSource from);

// The lowest pending, unblocked signal, or 0.
int next_deliverable(const Process& p);

// On the way back to ring 3: runs the handler of the next deliverable signal by
// building its frame and rewriting `regs`. False when the frame cannot be
// written (the process then dies of SIGSEGV, as in Linux's force_sigsegv).
bool deliver_signal(Process& p, PtRegs& regs, int sig);

// rt_sigreturn: `regs` again from the frame at regs.sp - 8; the restored rax,
// or a negative errno when the frame is unreadable.
int64_t restore_sigframe(Process& p, PtRegs& regs);

}  // namespace sysentry
