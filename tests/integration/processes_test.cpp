// Several guest processes: fork with a pipe and wait4, execve of
// /proc/self/exe, and a child killed by a fault, each with the output and
// statuses the same program gives natively (glibc and, if present, musl).
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kForkProgram = R"(#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) { printf("exec'd child says hi\n"); return 9; }
    int fds[2];
    pipe(fds);
    pid_t pid = fork();
    if (pid == 0) { close(fds[0]); write(fds[1], "through the pipe\n", 17); _exit(7); }
    close(fds[1]);
    char buf[64] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    ssize_t eof = read(fds[0], buf + 32, 8);
    int st;
    pid_t w = waitpid(pid, &st, 0);
    printf("read %zd then %zd: %s", n, eof, buf);
    printf("waited the child: %s, exit status %d\n", w == pid ? "yes" : "no", WEXITSTATUS(st));
    pid_t p2 = fork();
    if (p2 == 0) { char *av[] = {"x", "child", NULL}; execv("/proc/self/exe", av); _exit(99); }
    waitpid(p2, &st, 0);
    printf("exec'd child's status %d\n", WEXITSTATUS(st));
    pid_t p3 = fork();
    if (p3 == 0) { *(volatile int *)0 = 1; _exit(0); }
    waitpid(p3, &st, 0);
    printf("faulting child: signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
    printf("no more children: %s\n", waitpid(-1, &st, WNOHANG) < 0 ? "ECHILD" : "?");
    return 3;
}
)";

class processes : public ::testing::TestWithParam<std::string> {};

TEST_P(processes, fork_pipe_wait_exec_and_a_killed_child_match_native) {
    if (GetParam() == "musl-gcc" && !on_path("musl-gcc")) GTEST_SKIP() << "musl-gcc is not installed";
    ScratchRoot dir = temp_dir("sysentry-processes");
    auto exe = build_c(kForkProgram, GetParam(), dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun guest = run_cli({"run", "--timeout", "20", exe->string()});
    ProcessRun native = run_process({exe->string()});
    EXPECT_EQ(guest.exit_code, 3) << describe(guest);
    EXPECT_EQ(guest.out, native.out);
    EXPECT_EQ(guest.out.find("exit status 7") != std::string::npos, true) << guest.out;
}

// strace -f's form: "[pid N] " once there are several processes, and a call
// another process interrupts is shown unfinished, then resumed.
TEST(processes_trace, prefixes_pids_and_shows_unfinished_calls_as_strace_does) {
    ScratchRoot dir = temp_dir("sysentry-processes-trace");
    auto exe = build_c(kForkProgram, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun guest = run_cli({"run", "--trace", "--timeout", "20", exe->string()});
    EXPECT_EQ(guest.exit_code, 3) << describe(guest);
    const std::string& t = guest.err;
    for (const char* want : {"clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD",
                             "[pid  1000] read(3,  <unfinished ...>\n",
                             "[pid  1001] write(4, \"through the pipe\\n\", 17) = 17\n",
                             "[pid  1001] +++ exited with 7 +++\n",
                             "<... read resumed>\"through the pipe\\n\", 63) = 17\n",
                             "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1001, si_uid=0, si_status=7, "
                             "si_utime=0, si_stime=0} ---\n",
                             "si_code=CLD_KILLED, si_pid=1003, si_uid=0, si_status=SIGSEGV",
                             "+++ exited with 3 +++\n"}) {
        EXPECT_NE(t.find(want), std::string::npos) << "missing: " << want << "\n" << t;
    }
    EXPECT_LT(t.find("<unfinished ...>"), t.find("<... read resumed>"));
}

INSTANTIATE_TEST_SUITE_P(libc, processes, ::testing::Values("gcc", "musl-gcc"),
                         [](const auto& info) { return info.param == "gcc" ? std::string("glibc") : std::string("musl"); });

}  // namespace
}  // namespace sysentry::test
