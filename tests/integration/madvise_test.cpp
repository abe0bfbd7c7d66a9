// madvise(MADV_DONTNEED) on anonymous memory: the pages read back as zero;
// on an unmapped range it fails with ENOMEM. The same program runs natively.
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kMadvise = R"(#include <stdio.h>
#include <sys/mman.h>
int main(void) {
    char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p[0] = 7;
    p[5000] = 9;
    int r = madvise(p, 8192, MADV_DONTNEED);
    printf("madvise %d then %d %d, unmapped %d\n", r, p[0], p[5000], madvise(p + (1 << 20), 4096, MADV_DONTNEED));
    return 0;
}
)";

TEST(madvise, dontneed_zeroes_the_pages_as_natively) {
    ScratchRoot dir = temp_dir("sysentry-madvise");
    auto exe = build_c(kMadvise, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun guest = run_cli({"run", exe->string()});
    ProcessRun native = run_process({exe->string()});
    EXPECT_EQ(guest.exit_code, 0) << describe(guest);
    EXPECT_EQ(guest.out, "madvise 0 then 0 0, unmapped -1\n");
    EXPECT_EQ(guest.out, native.out);
}

}  // namespace
}  // namespace sysentry::test
