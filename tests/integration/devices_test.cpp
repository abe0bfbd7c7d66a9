// The devices every guest has, even in an empty root: /dev/null, /dev/zero,
// /dev/urandom. Opening one creates nothing in the root.
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kDevices = R"(#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    char b[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    int z = open("/dev/zero", O_RDONLY);
    long zeros = read(z, b, 8) == 8 && b[0] == 0 && b[7] == 0;
    int n = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    long sunk = write(n, "gone", 4);
    char none;
    long eof = read(open("/dev/null", O_RDONLY), &none, 1);
    int u = open("/../dev/./urandom", O_RDONLY);
    long rnd = read(u, b, 8);
    printf("zeros %ld, null took %ld, null gives %ld, urandom gave %ld\n", zeros, sunk, eof, rnd);
    return 0;
}
)";

TEST(devices, null_zero_and_urandom_work_in_an_empty_root) {
    ScratchRoot dir = temp_dir("sysentry-devices");
    auto exe = build_c(kDevices, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ScratchRoot root = temp_dir("sysentry-devices-root");
    ProcessRun run = run_cli({"run", "--root", root.path().string(), exe->string()});
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "zeros 1, null took 4, null gives 0, urandom gave 8\n");
    EXPECT_TRUE(fs::is_empty(root.path())) << "opening a device must not create files in the root";
}

}  // namespace
}  // namespace sysentry::test
