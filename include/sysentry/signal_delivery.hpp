// Signals: pending sets with each signal's siginfo, what a dequeued signal does,
// the x86-64 rt_sigframe, and the return through rt_sigreturn
// (arch/x86/kernel/signal_64.c, kernel/signal.c).
#pragma once
#include <cstdint>

namespace sysentry {

class Kernel;
struct Process;
struct PtRegs;

constexpr uint64_t signal_bit(int sig) { return uint64_t{1} << (sig - 1); }

// Where a signal came from, for its siginfo.
struct SignalSource {
    int code = 0;          // SI_USER (kill), SI_TKILL (tkill/tgkill), SI_QUEUE, SI_KERNEL, CLD_*, a fault's
    int pid = 0;           // the sender (si_pid)
    uint64_t address = 0;  // a fault's si_addr
    int status = 0;        // SIGCHLD's si_status
    uint64_t value = 0;    // sigqueue's si_value
};

// What a signal does when it is taken for delivery (kernel/signal.c's sig_kernel_* sets).
enum class SignalAction { handler, ignore, stop, terminate };
SignalAction signal_action(const Process& p, int sig);

// __send_signal: `sig` becomes pending for `p` with its siginfo, whatever its
// action (as for a ptraced task, which strace's is: even an ignored signal is
// queued, and shown when it is dequeued). A standard signal already pending is
// not queued again. SIGKILL never queues: the caller ends the process.
void post_signal(Process& p, int sig, SignalSource from);

// The lowest pending, unblocked signal, or 0.
int next_deliverable(const Process& p);

// The lowest pending, unblocked signal that ends a blocked wait (one that has a
// handler or terminates), or 0. Ignored signals wait for the call to finish.
int next_interrupting(const Process& p);

// sigaction to an ignoring action discards that signal's pending instance.
void discard_if_ignored(Process& p, int sig);

// On the way back to ring 3: runs the handler of the next deliverable signal by
// building its frame and rewriting `regs`. False when the frame cannot be
// written (the process then dies of SIGSEGV, as in Linux's force_sigsegv).
bool deliver_signal(Process& p, PtRegs& regs, int sig);

// rt_sigreturn: `regs` again from the frame at regs.sp - 8; the restored rax,
// or a negative errno when the frame is unreadable.
int64_t restore_sigframe(Process& p, PtRegs& regs);

}  // namespace sysentry
