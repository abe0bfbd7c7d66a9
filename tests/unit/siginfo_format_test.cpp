// The siginfo part of strace's "--- SIG... {...} ---" lines. Every expected
// string was printed by Debian bookworm's strace 6.1 for the same siginfo
// (tests/differential/programs/signal_sources.c, signal_children.c,
// fork_signal_child.c and a sigqueue of the value 0, under `strace -f`).
#include "sysentry/strace_format.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace sysentry {
namespace {

StraceSiginfo sent(int signo, int code, int pid) {
    StraceSiginfo si{signo, code};
    si.pid = pid;
    return si;
}

TEST(siginfo_format, kill_and_tgkill_show_the_sender) {
    EXPECT_EQ(strace_siginfo(sent(SIGUSR1, SI_USER, 20452)), "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=20452, si_uid=0}");
    EXPECT_EQ(strace_siginfo(sent(SIGTERM, SI_TKILL, 20452)),
              "{si_signo=SIGTERM, si_code=SI_TKILL, si_pid=20452, si_uid=0}");
}

TEST(siginfo_format, sigqueue_adds_the_value) {
    StraceSiginfo si = sent(SIGUSR1, SI_QUEUE, 20452);
    si.value = 42;
    EXPECT_EQ(strace_siginfo(si), "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=20452, si_uid=0, si_int=42, si_ptr=0x2a}");
    si.value = 0;  // strace leaves a null value out
    EXPECT_EQ(strace_siginfo(si), "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=20452, si_uid=0}");
}

TEST(siginfo_format, the_kernel_sends_no_source) {
    EXPECT_EQ(strace_siginfo({SIGALRM, SI_KERNEL}), "{si_signo=SIGALRM, si_code=SI_KERNEL}");
}

TEST(siginfo_format, sigchld_carries_the_child_status) {
    StraceSiginfo exited = sent(SIGCHLD, CLD_EXITED, 8973);
    exited.status = 3;
    EXPECT_EQ(strace_siginfo(exited), "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8973, si_uid=0, si_status=3, "
                                      "si_utime=0, si_stime=0}");
    StraceSiginfo killed = sent(SIGCHLD, CLD_KILLED, 8972);
    killed.status = SIGKILL;
    EXPECT_EQ(strace_siginfo(killed), "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=8972, si_uid=0, "
                                      "si_status=SIGKILL, si_utime=0, si_stime=0}");
}

TEST(siginfo_format, a_fault_shows_its_address) {
    StraceSiginfo si{SIGSEGV, SEGV_MAPERR};
    si.address = 0x10;
    EXPECT_EQ(strace_siginfo(si), "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10}");
}

}  // namespace
}  // namespace sysentry
