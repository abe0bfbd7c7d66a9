// Stepping a glibc program: its start-up demand-pages data on a store right
// after the stepper stopped the engine. A stop used to leave a stale exception
// record behind, so that #PF became a silent triple fault and the stepper
// retried the store forever (docs/carrier.md item 13).
#include <gtest/gtest.h>

#include <regex>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(StepperGlibc, StepsPastTheFirstDemandPagedStore) {
    ProcessRun r = run_cli({"step", "--max-insns", "100000", example("seed-write").string()}, "si 40\nquit\n");
    ASSERT_EQ(r.status(), 0) << describe(r);
    EXPECT_EQ(r.out.find("instruction limit"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[user] #40"), std::string::npos) << r.out;
}

// The syscall() wrapper example: at the breakpoint the C ABI holds the call
// (rdi = nr, rsi.. = arguments); at entry_SYSCALL_64 the syscall ABI does.
TEST(StepperGlibc, BreakOnTheWrapperShowsTheArgumentsShift) {
    ProcessRun r = run_cli({"step", example("syscall-wrapper").string()},
                           "break my_syscall\ncontinue\ninfo registers rdi rcx\nsi 8\n"
                           "info registers rax rdx\nquit\n");
    ASSERT_EQ(r.status(), 0) << describe(r);
    EXPECT_NE(r.out.find("Breakpoint 1, [user]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("<my_syscall>"), std::string::npos) << r.out;
    // write(1, msg, 22): the length arrives in rcx (4th C argument) and leaves in rdx.
    std::regex c_abi(R"(rdi\s+0x1\s+1\nrcx\s+0x16\s+22)");
    EXPECT_TRUE(std::regex_search(r.out, c_abi)) << r.out;
    EXPECT_NE(r.out.find("SYSCALL: ring 3 -> ring 0"), std::string::npos) << r.out;
    std::regex syscall_abi(R"(rax\s+0x1\s+1\nrdx\s+0x16\s+22)");
    EXPECT_TRUE(std::regex_search(r.out, syscall_abi)) << r.out;
}

}  // namespace
}  // namespace sysentry::test
