// Hostile guests meet limits, not the host: a fork bomb gets EAGAIN at
// --max-procs, and an mmap past --mem-limit gets ENOMEM.
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kBomb = R"(#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void) {
    int made = 0;
    for (;;) {
        pid_t p = fork();
        if (p == 0) { pause(); _exit(0); }
        if (p < 0) { printf("fork failed after %d: %s\n", made, strerror(errno)); break; }
        made++;
    }
    void *m = mmap(0, 1ull << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("1 GiB mmap: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
    void *s = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("1 MiB mmap: %s\n", s == MAP_FAILED ? strerror(errno) : "ok");
    return 0;
}
)";

TEST(limits, fork_bomb_and_memory_bomb_stop_at_the_limits) {
    ScratchRoot dir = temp_dir("sysentry-limits");
    auto exe = build_c(kBomb, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun run = run_cli({"run", "--timeout", "60", "--max-procs", "20", "--mem-limit", "512", exe->string()});
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "fork failed after 19: Resource temporarily unavailable\n"
                       "1 GiB mmap: Cannot allocate memory\n"
                       "1 MiB mmap: ok\n");
}

// A child sleeps, then wakes its parent through a pipe; then the parent waits on
// a pipe nobody will ever write: a deadlock, ended with a message, not a hang.
constexpr std::string_view kDeadlock = R"(#include <stdio.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    struct timespec t = {0, 200000000};
    int fds[2], never[2];
    pipe(fds);
    pipe(never);
    if (fork() == 0) { nanosleep(&t, 0); write(fds[1], "x", 1); _exit(0); }
    char c;
    read(fds[0], &c, 1);
    printf("woke after the child's sleep: %c\n", c);
    fflush(stdout);
    read(never[0], &c, 1);
    return 0;
}
)";

TEST(limits, a_deadlock_ends_the_run_with_a_message) {
    ScratchRoot dir = temp_dir("sysentry-deadlock");
    auto exe = build_c(kDeadlock, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun run = run_cli({"run", exe->string()});
    EXPECT_EQ(run.exit_code, 124) << describe(run);
    EXPECT_EQ(run.out, "woke after the child's sleep: x\n");
    EXPECT_NE(run.err.find("deadlock: every process waits for another"), std::string::npos) << run.err;
}

// --max-insns: an endless loop ends at the limit; a program under it is untouched.
TEST(limits, max_insns_stops_an_endless_loop_and_spares_a_short_program) {
    ScratchRoot dir = temp_dir("sysentry-max-insns");
    fs::path loop = write_file(dir.path() / "loop.s", asm_program("1:\tjmp 1b"));
    ProcessRun stopped = run_cli({"run", "--max-insns", "100000", loop.string()});
    EXPECT_EQ(stopped.exit_code, 124) << describe(stopped);
    EXPECT_NE(stopped.err.find("instruction limit (100000) reached"), std::string::npos) << stopped.err;
    const std::string hello = (fs::path(SYSENTRY_SOURCE_DIR) / "guest/examples/hello.s").string();
    ProcessRun fine = run_cli({"run", "--max-insns", "100000", hello});
    EXPECT_EQ(fine.exit_code, 0) << describe(fine);
    EXPECT_EQ(fine.out, "hello\n");
    ProcessRun tight = run_cli({"run", "--max-insns", "3", hello});
    EXPECT_EQ(tight.exit_code, 124) << "hello runs more than 3 instructions: " << describe(tight);
    EXPECT_EQ(run_cli({"run", "--max-insns", "0", hello}).exit_code, 125);
}

}  // namespace
}  // namespace sysentry::test
