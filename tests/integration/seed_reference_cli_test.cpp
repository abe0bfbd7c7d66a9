// `sysentry table --category`, `table NAME` and `abi` end to end.
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(seed_reference_cli, table_category_lists_only_that_category) {
    ProcessRun r = run_cli({"table", "--category", "communication"});
    ASSERT_EQ(r.status(), 0) << describe(r);
    EXPECT_NE(r.out.find("\nsocket "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nkill "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\nwrite "), std::string::npos) << r.out;
    EXPECT_EQ(run_cli({"table", "--category", "nonsense"}).status(), 125);
}

TEST(seed_reference_cli, table_name_shows_numbers_category_signature_and_example) {
    ProcessRun r = run_cli({"table", "write"});
    ASSERT_EQ(r.status(), 0) << describe(r);
    EXPECT_NE(r.out.find("file management"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ssize_t write(int fd"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("i386:       4 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("x32:        1 (0x40000001"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("write(1, \"hello\\n\", 6)"), std::string::npos) << r.out;
    ProcessRun by_number = run_cli({"table", "57"});
    EXPECT_NE(by_number.out.find("fork\n"), std::string::npos) << by_number.out;
    EXPECT_EQ(run_cli({"table", "no_such_call"}).status(), 125);
}

TEST(seed_reference_cli, abi_highlights_x86_64_and_compares_the_three_x86_ways) {
    ProcessRun r = run_cli({"abi"});
    ASSERT_EQ(r.status(), 0) << describe(r);
    EXPECT_NE(r.out.find("> x86-64       syscall"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("> x86-64       rdi   rsi   rdx   r10"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("int $0x80"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("rax | 0x40000000"), std::string::npos) << r.out;
    ProcessRun arm = run_cli({"abi", "arm/EABI"});
    EXPECT_NE(arm.out.find("register pair"), std::string::npos) << arm.out;
    EXPECT_EQ(arm.out.find("x86-64"), std::string::npos) << arm.out;
    EXPECT_EQ(run_cli({"abi", "vax"}).status(), 125);
}

}  // namespace
}  // namespace sysentry::test
