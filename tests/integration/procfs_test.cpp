// /proc for guest processes: comm, status, maps, fd links, and /proc/PID/syscall
// showing the call another process is blocked in (the seed note's example).
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kProcProgram = R"(#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static void show(const char *path) {
    char b[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("%s: cannot open\n", path); return; }
    int n = read(fd, b, sizeof b - 1);
    b[n > 0 ? n : 0] = 0;
    printf("== %s\n%s", path, b);
    close(fd);
}
int main(void) {
    show("/proc/self/comm");
    show("/proc/self/status");
    int fds[2];
    pipe(fds);
    pid_t pid = fork();
    if (pid == 0) { char c; read(fds[0], &c, 1); _exit(0); }
    sched_yield();
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", pid);
    show(path);
    write(fds[1], "x", 1);
    wait(NULL);
    show("/proc/self/maps");
    return 0;
}
)";

TEST(procfs, comm_status_maps_and_a_blocked_process_syscall) {
    ScratchRoot dir = temp_dir("sysentry-procfs");
    auto exe = build_c(kProcProgram, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun run = run_cli({"run", "--timeout", "20", exe->string()});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    const std::string& out = run.out;
    EXPECT_NE(out.find("== /proc/self/comm\nprog\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Name:\tprog\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Pid:\t1000\n"), std::string::npos) << out;
    // The child (pid 1001) waits in read(3, buf, 1): nr 0, then the six arguments, sp and pc.
    EXPECT_NE(out.find("== /proc/1001/syscall\n0 0x3 0x"), std::string::npos) << out;
    EXPECT_NE(out.find(" 0x1 "), std::string::npos) << out;
    EXPECT_NE(out.find("r-xp 00000000 00:00 0"), std::string::npos) << out;
    EXPECT_NE(out.find("[stack]\n"), std::string::npos) << out;
    EXPECT_NE(out.find("[heap]\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace sysentry::test
