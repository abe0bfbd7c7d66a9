// --kernel-profile: the seed's syscall_init masks TF|DF|IF|IOPL|AC|NT on SYSCALL;
// today's (idt_syscall_init) also clears the arithmetic flags, RF and ID.
#include <gtest/gtest.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr uint64_t kArithmeticFlags = 0x8d5;  // CF|PF|AF|ZF|SF|OF
constexpr uint64_t kIdFlag = 0x200000;
constexpr uint64_t kSeedMask = 0x47700, kModernMask = 0x257fd5;

// Sets CF, PF, AF, ZF, SF, OF and ID with popfq, then calls getpid.
const std::string kFlagsProgram = asm_program(R"(
	pushfq
	orq	$0x2008d5, (%rsp)
	popfq
	movl	$39, %eax
	syscall
	exit_imm 0
)");

TransitionEvent first_syscall(const GuestRun& run) {
    auto entries = run.events.of_kind(TransitionKind::syscall);
    if (entries.empty()) throw std::runtime_error("no SYSCALL transition");
    return entries.front();
}

TEST(kernel_profile, seed_mask_leaves_the_arithmetic_flags_set) {
    GuestRun run = run_asm(kFlagsProgram, {.kernel_profile = KernelProfile::seed});
    ASSERT_TRUE(run.exited(0)) << describe(run);
    TransitionEvent t = first_syscall(run);
    ASSERT_EQ(t.before.rflags & kArithmeticFlags, kArithmeticFlags) << std::hex << t.before.rflags;
    EXPECT_EQ(t.after.rflags & kArithmeticFlags, kArithmeticFlags) << std::hex << t.after.rflags;
    EXPECT_EQ(t.after.rflags & kSeedMask, 0u) << std::hex << t.after.rflags;
    EXPECT_EQ(t.after.r11, t.before.rflags);  // SYSCALL saved the user's flags
}

TEST(kernel_profile, modern_mask_clears_them_and_id) {
    GuestRun run = run_asm(kFlagsProgram, {.kernel_profile = KernelProfile::modern});
    ASSERT_TRUE(run.exited(0)) << describe(run);
    TransitionEvent t = first_syscall(run);
    ASSERT_EQ(t.before.rflags & kArithmeticFlags, kArithmeticFlags) << std::hex << t.before.rflags;
    EXPECT_EQ(t.after.rflags & kModernMask, 0u) << std::hex << t.after.rflags;
    if (t.before.rflags & kIdFlag) {
        EXPECT_EQ(t.after.rflags & kIdFlag, 0u);
    }
    EXPECT_EQ(t.after.r11, t.before.rflags);
}

TEST(kernel_profile, both_kernels_run_a_glibc_program_alike) {
    GuestRun seed = run_elf(example("seed-write"), {.kernel_profile = KernelProfile::seed});
    GuestRun modern = run_elf(example("seed-write"), {.kernel_profile = KernelProfile::modern});
    ASSERT_TRUE(seed.exited(0)) << describe(seed);
    ASSERT_TRUE(modern.exited(0)) << describe(modern);
    EXPECT_EQ(seed.out, modern.out);
}

TEST(kernel_profile, info_reads_the_modern_mask_back_from_the_machine) {
    ProcessRun modern = run_cli({"info", "--kernel-profile", "modern"});
    ASSERT_EQ(modern.status(), 0) << describe(modern);
    EXPECT_NE(modern.out.find("SYSCALL_MASK = 0x0000000000257fd5"), std::string::npos) << modern.out;
    ProcessRun seed = run_cli({"info"});
    EXPECT_NE(seed.out.find("SYSCALL_MASK = 0x0000000000047700"), std::string::npos) << seed.out;
    EXPECT_EQ(run_cli({"info", "--kernel-profile", "future"}).status(), 125);
    ProcessRun explained = run_cli({"info", "--explain"});
    EXPECT_NE(explained.out.find("0..326 to 0..470"), std::string::npos) << explained.out;
}

// The stepper shows the difference where it happens: the SYSCALL card names
// the flags each kernel's mask clears.
TEST(kernel_profile, the_stepper_shows_which_mask_the_booted_kernel_set) {
    const std::string hello = (fs::path(SYSENTRY_SOURCE_DIR) / "guest/examples/hello.s").string();
    ProcessRun modern = run_cli({"step", "--kernel-profile", "modern", hello}, "info msr\nquit\n");
    ASSERT_EQ(modern.status(), 0) << describe(modern);
    EXPECT_NE(modern.out.find("SYSCALL_MASK = 0x0000000000257fd5"), std::string::npos) << modern.out;
    ProcessRun seed = run_cli({"step", hello}, "info msr\nquit\n");
    EXPECT_NE(seed.out.find("SYSCALL_MASK = 0x0000000000047700"), std::string::npos) << seed.out;
    EXPECT_EQ(seed.out.find("SYSCALL_MASK = 0x0000000000257fd5"), std::string::npos) << seed.out;
}

}  // namespace
}  // namespace sysentry::test
