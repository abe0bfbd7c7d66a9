// poll/select and their trace lines, interval timers on virtual time,
// /proc/<pid>/syscall from pt_regs, sockets failing with one warning, and
// sysinfo following --mem-limit.
#include <gtest/gtest.h>

#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// Builds `source` with gcc and runs it under the CLI with `options` before the program.
ProcessRun run_c(std::string_view source, std::vector<std::string> options, fs::path& keep_exe,
                 const ScratchRoot& dir) {
    auto exe = build_c(source, "gcc", dir.path());
    if (!exe) return ProcessRun{.error = "build failed: " + exe.error()};
    keep_exe = *exe;
    std::vector<std::string> args{"run", "--timeout", "20"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back(exe->string());
    return run_cli(args);
}

// The lines of `text` naming one of `calls`, in order.
std::vector<std::string> lines_of(const std::string& text, std::initializer_list<std::string_view> calls) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        for (auto c : calls)
            if (line.starts_with(std::string(c) + "(")) out.push_back(line);
    return out;
}

constexpr std::string_view kPollProgram = R"(#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    int p[2];
    pipe(p);
    struct pollfd f[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0}};
    poll(f, 3, 0);
    poll(f, 1, 10);
    write(p[1], "x", 1);
    poll(f, 3, -1);
    struct pollfd g[2] = {{p[0], POLLIN | POLLPRI, 0}, {99, POLLIN, 0}};
    poll(g, 2, 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    ppoll(f, 2, NULL, &s);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &r);
    FD_SET(p[1], &w);
    syscall(SYS_select, p[1] + 1, &r, &w, NULL, NULL);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    pselect(p[1] + 1, &r, NULL, NULL, NULL, &s);
    FD_ZERO(&r);
    FD_SET(50, &r);
    select(51, &r, NULL, NULL, NULL);
    syscall(SYS_poll, (void *)16, 1, 0);
    return 0;
}
)";

TEST(waits_and_limits, poll_and_select_trace_as_strace_prints_them) {
    ScratchRoot dir = temp_dir("sysentry-poll-trace");
    fs::path exe;
    ProcessRun ours = run_c(kPollProgram, {"--trace", "--deterministic"}, exe, dir);
    ASSERT_EQ(ours.exit_code, 0) << describe(ours);
    std::vector<std::string> expected = {
        "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}, {fd=-1}], 3, 0) = 1 ([{fd=4, revents=POLLOUT}])",
        "poll([{fd=3, events=POLLIN}], 1, 10)    = 0 (Timeout)",
        "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}, {fd=-1}], 3, -1) = 2 ([{fd=3, revents=POLLIN}, "
        "{fd=4, revents=POLLOUT}])",
        "poll([{fd=3, events=POLLIN|POLLPRI}, {fd=99, events=POLLIN}], 2, 0) = 2 ([{fd=3, revents=POLLIN}, "
        "{fd=99, revents=POLLNVAL}])",
        "ppoll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, NULL, [INT], 8) = 2 ([{fd=3, revents=POLLIN}, "
        "{fd=4, revents=POLLOUT}])",
        "select(5, [3 4], [4], NULL, NULL)       = 2 (in [3], out [4])",
        "pselect6(5, [3], NULL, NULL, NULL, {sigmask=[INT], sigsetsize=8}) = 1 (in [3])",
        "pselect6(51, [50], NULL, NULL, NULL, NULL) = -1 EBADF (Bad file descriptor)",
        "poll(0x10, 1, 0)                        = -1 EFAULT (Bad address)",
    };
    EXPECT_EQ(lines_of(ours.err, {"poll", "ppoll", "select", "pselect6"}), expected) << ours.err;
    if (!on_path("strace")) GTEST_SKIP() << "strace is not installed: compared with the literal lines only";
    ProcessRun real = run_process({"strace", "-f", exe.string()});
    ASSERT_EQ(real.exit_code, 0) << describe(real);
    EXPECT_EQ(lines_of(real.err, {"poll", "ppoll", "select", "pselect6"}), expected) << real.err;
}

constexpr std::string_view kVirtualTimeProgram = R"(#include <poll.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);  /* SIGALRM ends it: nothing may wait in a buffer */
    struct timespec t0, t1;
    int p[2];
    pipe(p);
    struct pollfd f = {p[0], POLLIN, 0};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = poll(&f, 1, 5000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("poll %d after %lld s\n", rc, (long long)(t1.tv_sec - t0.tv_sec));
    struct itimerval v = {{0, 0}, {3, 0}}, left;
    setitimer(ITIMER_REAL, &v, NULL);
    getitimer(ITIMER_REAL, &left);
    printf("armed %ld\n", (long)left.it_value.tv_sec);
    pause();
    return 0;
}
)";

// Under --deterministic no one waits for the wall clock: with every task
// asleep, virtual time jumps to the first deadline, and SIGALRM's default
// action ends the program (128 + 14).
TEST(waits_and_limits, poll_timeouts_and_alarms_run_on_virtual_time) {
    ScratchRoot dir = temp_dir("sysentry-virtual-time");
    fs::path exe;
    ProcessRun run = run_c(kVirtualTimeProgram, {"--deterministic", "--trace"}, exe, dir);
    EXPECT_EQ(run.status(), 128 + SIGALRM) << describe(run);
    EXPECT_EQ(run.out, "poll 0 after 5 s\narmed 2\n") << describe(run);
    EXPECT_NE(run.err.find("poll([{fd=3, events=POLLIN}], 1, 5000)  = 0 (Timeout)"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("+++ killed by SIGALRM +++"), std::string::npos) << run.err;
}

constexpr std::string_view kDeadlockProgram = R"(#include <poll.h>
#include <unistd.h>
int main(void) {
    int p[2];
    pipe(p);
    struct pollfd f = {p[0], POLLIN, 0};
    return poll(&f, 1, -1);  /* no one else holds the write end */
}
)";

TEST(waits_and_limits, a_poll_nothing_can_wake_is_a_deadlock_not_a_hang) {
    ScratchRoot dir = temp_dir("sysentry-poll-deadlock");
    fs::path exe;
    ProcessRun run = run_c(kDeadlockProgram, {}, exe, dir);
    EXPECT_EQ(run.exit_code, 124) << describe(run);
    EXPECT_NE(run.err.find("deadlock"), std::string::npos) << run.err;
}

constexpr std::string_view kSyscallFileProgram = R"(#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    char b[256];
    int fd = open("/proc/self/syscall", O_RDONLY);
    int n = read(fd, b, 200);
    b[n > 0 ? n : 0] = 0;
    printf("self: %s", b);
    printf("buffer: %p\n", (void *)b);
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) { char c; read(p[0], &c, 1); _exit(0); }
    sched_yield();
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", pid);
    int cf = open(path, O_RDONLY);
    n = read(cf, b, 200);
    b[n > 0 ? n : 0] = 0;
    printf("child: %s", b);
    write(p[1], "x", 1);
    wait(NULL);
    return 0;
}
)";

// Linux fills the file at the first read: the reader sees its own read(2),
// the blocked child its read on the pipe (nr 0, fd 3, count 1).
TEST(waits_and_limits, proc_pid_syscall_shows_the_current_call_from_pt_regs) {
    ScratchRoot dir = temp_dir("sysentry-proc-syscall");
    fs::path exe;
    ProcessRun run = run_c(kSyscallFileProgram, {}, exe, dir);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    std::istringstream in(run.out);
    std::string self, buffer, child;
    std::getline(in, self);
    std::getline(in, buffer);
    std::getline(in, child);
    EXPECT_TRUE(self.starts_with("self: 0 0x3 " + buffer.substr(8) + " 0xc8 ")) << run.out;
    EXPECT_TRUE(child.starts_with("child: 0 0x4 0x")) << run.out;  // fd 3 is the /proc file
    std::istringstream fields(child.substr(7));
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    ASSERT_EQ(f.size(), 9u) << child;  // nr, six arguments, sp, pc
    EXPECT_EQ(f[3], "0x1") << child;
}

constexpr std::string_view kSocketProgram = R"(#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
int main(void) {
    int a = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket: %d %s\n", a, strerror(errno));
    int sv[2];
    int b = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    printf("socketpair: %d %s\n", b, strerror(errno));
    int c = connect(1, NULL, 0);
    printf("connect: %d %s\n", c, strerror(errno));
    return 0;
}
)";

TEST(waits_and_limits, sockets_fail_with_one_warning_per_run) {
    ScratchRoot dir = temp_dir("sysentry-sockets");
    fs::path exe;
    ProcessRun run = run_c(kSocketProgram, {}, exe, dir);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out,
              "socket: -1 Address family not supported by protocol\n"
              "socketpair: -1 Address family not supported by protocol\n"
              "connect: -1 Socket operation on non-socket\n");
    EXPECT_EQ(run.err,
              "sysentry: warning: networking is not modelled: socket(...) and socketpair(...) fail with "
              "EAFNOSUPPORT\n");
}

constexpr std::string_view kSysinfoProgram = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
int main(void) {
    struct sysinfo before, after;
    sysinfo(&before);
    char *volatile p = malloc(8 << 20);
    memset(p, 1, 8 << 20);
    sysinfo(&after);
    free(p);
    printf("total %lu MiB\n", before.totalram * before.mem_unit >> 20);
    printf("free fell by at least 8 MiB: %s\n", before.freeram - after.freeram >= (8ul << 20) ? "yes" : "no");
    printf("free below total: %s\n", after.freeram < after.totalram ? "yes" : "no");
    return 0;
}
)";

TEST(waits_and_limits, sysinfo_reports_the_memory_limit_and_what_is_used) {
    ScratchRoot dir = temp_dir("sysentry-sysinfo");
    fs::path exe;
    ProcessRun run = run_c(kSysinfoProgram, {"--mem-limit", "64"}, exe, dir);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "total 64 MiB\nfree fell by at least 8 MiB: yes\nfree below total: yes\n");
}

}  // namespace
}  // namespace sysentry::test

namespace sysentry::test {
namespace {

// The call names of a trace's lines, in order ("+++" notices left out).
std::vector<std::string> traced_names(const std::string& err) {
    std::vector<std::string> names;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
        if (auto paren = line.find('('); paren != std::string::npos && !line.starts_with("+++") &&
                                         !line.starts_with("sysentry"))
            names.push_back(line.substr(0, paren));
    return names;
}

TEST(waits_and_limits, trace_classes_and_negation_select_as_strace_does) {
    ScratchRoot dir = temp_dir("sysentry-trace-classes");
    auto exe = build_c(kSocketProgram, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun net = run_cli({"run", "-e", "trace=%network", exe->string()});
    ASSERT_EQ(net.exit_code, 0) << describe(net);
    EXPECT_EQ(traced_names(net.err), (std::vector<std::string>{"socket", "socketpair", "connect"})) << net.err;
    EXPECT_NE(net.err.find("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = -1 EAFNOSUPPORT"), std::string::npos)
        << net.err;
    ProcessRun rest = run_cli({"run", "-e", "trace=!%memory,%process,%network,%file,%creds", exe->string()});
    ASSERT_EQ(rest.exit_code, 0) << describe(rest);
    for (const std::string& name : traced_names(rest.err)) {
        EXPECT_NE(name, "brk") << rest.err;
        EXPECT_NE(name, "socket") << rest.err;
        EXPECT_NE(name, "execve") << rest.err;
    }
    EXPECT_NE(rest.err.find("\nwrite(1, "), std::string::npos) << rest.err;
    ProcessRun bad = run_cli({"run", "-e", "trace=%nonsense", exe->string()});
    EXPECT_EQ(bad.exit_code, 125) << describe(bad);
    EXPECT_NE(bad.err.find("invalid system call class '%nonsense'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace sysentry::test
