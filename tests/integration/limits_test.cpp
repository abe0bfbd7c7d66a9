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

}  // namespace
}  // namespace sysentry::test
