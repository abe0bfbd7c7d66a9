// SYSCALL and SYSRET as the architecture defines them (SDM vol. 2B), observed
// through TransitionEvents, plus the Linux ABI promise that only RAX, RCX and
// R11 change across a system call.
#include <gtest/gtest.h>

#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

using namespace sysentry::x86;

// Sets `flag` with popfq, makes getpid at `the_syscall`, then checks from
// ring 3 that the flag survived (exit 0) or not (exit 1).
std::string flag_program(uint64_t flag) {
    std::string check = flag ? fmt::format("\ttestq\t${:#x}, %rbx\n\tjz\tlost\n", flag) : "";
    return asm_program(fmt::format(R"(
	pushfq
	orq	${0:#x}, (%rsp)
	popfq
	movl	$39, %eax
the_syscall:
	syscall
	pushfq
	popq	%rbx
	pushfq
	andq	$~{0:#x}, (%rsp)		# clear it again before anything else runs
	popfq
{1}	exit_imm 0
lost:
	exit_imm 1
)", flag, check));
}

// The syscall transition made at label `the_syscall`, and the SYSRET after it.
std::pair<std::optional<TransitionEvent>, std::optional<TransitionEvent>> around(const GuestRun& run) {
    const auto& ts = run.events.transitions;
    for (size_t i = 0; i < ts.size(); ++i) {
        if (ts[i].kind != TransitionKind::syscall || ts[i].before.rip != run.symbol("the_syscall")) continue;
        for (size_t j = i + 1; j < ts.size(); ++j)
            if (ts[j].kind == TransitionKind::sysret || ts[j].kind == TransitionKind::iret) return {ts[i], ts[j]};
        return {ts[i], std::nullopt};
    }
    return {std::nullopt, std::nullopt};
}

TEST(syscall_instruction, saves_return_rip_and_flags_and_loads_kernel_state) {
    GuestRun run = run_asm(flag_program(0));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    auto [entry, exit] = around(run);
    ASSERT_TRUE(entry.has_value()) << "no syscall transition at the_syscall";
    const RegisterFile &b = entry->before, &a = entry->after;
    EXPECT_EQ(a.rcx, b.rip + 2) << "RCX <- the RIP after the 2-byte syscall";
    EXPECT_EQ(a.r11, b.rflags & ~kFlagRf);
    EXPECT_EQ(a.rflags, b.rflags & ~(kSeedSyscallMask | kFlagRf));
    EXPECT_EQ(b.cs, 0x33);
    EXPECT_EQ(b.ss, 0x2b);
    EXPECT_EQ(b.cpl, 3u);
    EXPECT_EQ(a.cs, 0x10);
    EXPECT_EQ(a.ss, 0x18);
    EXPECT_EQ(a.cpl, 0u);
    EXPECT_EQ(a.rip, run.session->machine().kernel_symbol("entry_SYSCALL_64"));
    EXPECT_EQ(a.rsp, b.rsp) << "SYSCALL does not switch stacks";
    EXPECT_EQ(a.rax, b.rax);
    EXPECT_EQ(a.rdi, b.rdi);
    EXPECT_TRUE(b.rflags & kFlagIf);
    EXPECT_FALSE(a.rflags & kFlagIf) << "IF is in SYSCALL_MASK";
}

TEST(sysret_instruction, restores_rip_from_rcx_and_flags_from_r11_at_cpl3) {
    GuestRun run = run_asm(flag_program(0));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    auto [entry, exit] = around(run);
    ASSERT_TRUE(entry && exit);
    EXPECT_EQ(int(exit->kind), int(TransitionKind::sysret)) << "an ordinary getpid returns by SYSRET";
    EXPECT_EQ(exit->before.cpl, 0u);
    EXPECT_EQ(exit->after.cpl, 3u);
    EXPECT_EQ(exit->after.rip, entry->before.rip + 2);
    EXPECT_EQ(exit->after.rflags, (exit->before.r11 & kSysretFlagsKeep) | kFlagFixed);
    EXPECT_EQ(exit->after.rflags, entry->before.rflags & ~kFlagRf);
    EXPECT_EQ(exit->after.cs, 0x33);
    EXPECT_EQ(exit->after.ss, 0x2b);
    EXPECT_EQ(exit->after.rsp, entry->before.rsp);
    EXPECT_EQ(exit->after.rax, 1000u) << "getpid's result (the first pid)";
}

struct MaskedFlag {
    const char* name;
    uint64_t bit;
};

class syscall_mask : public ::testing::TestWithParam<MaskedFlag> {};

// Each SYSCALL_MASK flag that ring 3 can set: cleared in the kernel, kept in
// R11, back after SYSRET.
TEST_P(syscall_mask, flag_is_cleared_in_kernel_and_restored_after_sysret) {
    GuestRun run = run_asm(flag_program(GetParam().bit));
    EXPECT_TRUE(run.exited(0)) << "the guest saw the flag lost after the syscall: " << describe(run);
    auto [entry, exit] = around(run);
    ASSERT_TRUE(entry && exit);
    EXPECT_TRUE(entry->before.rflags & GetParam().bit) << "popfq in ring 3 should set it";
    EXPECT_FALSE(entry->after.rflags & GetParam().bit) << "SYSCALL_MASK clears it on entry";
    EXPECT_TRUE(entry->after.r11 & GetParam().bit) << "R11 keeps the user's RFLAGS";
    EXPECT_FALSE(exit->before.rflags & GetParam().bit) << "still clear in the kernel at SYSRET";
    EXPECT_TRUE(exit->after.rflags & GetParam().bit) << "SYSRET restores it from R11";
    EXPECT_EQ(run_native(run.elf).status(), 0) << "host Linux keeps it too";
}

INSTANTIATE_TEST_SUITE_P(user_settable_flags, syscall_mask,
                         ::testing::Values(MaskedFlag{"DF", kFlagDf}, MaskedFlag{"AC", kFlagAc},
                                           MaskedFlag{"NT", kFlagNt}),
                         [](const auto& info) { return std::string(info.param.name); });

// Ring 3 cannot raise IOPL or clear IF with popfq: the CPU ignores both silently.
TEST(syscall_instruction, popfq_in_ring3_cannot_change_iopl_or_if) {
    GuestRun run = run_asm(asm_program(R"(
	pushfq
	orq	$0x3000, (%rsp)		# IOPL 3
	andq	$~0x200, (%rsp)		# IF 0
	popfq
	movl	$39, %eax
the_syscall:
	syscall
	exit_imm 0
)"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    auto [entry, exit] = around(run);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->before.rflags & kFlagIopl, 0u);
    EXPECT_TRUE(entry->before.rflags & kFlagIf);
}

// Fills every register SYSCALL may not touch, calls getpid, and exits with the
// index of the first one that changed (0: all survived; 13-15: rsp, rcx, r11).
std::string preservation_program() {
    const std::pair<const char*, const char*> regs[] = {
        {"rbx", "0x1111111111111101"}, {"rdx", "0x2222222222222202"}, {"rsi", "0x3333333333333303"},
        {"rdi", "0x4444444444444404"}, {"rbp", "0x5555555555555505"}, {"r8", "0x6666666666666606"},
        {"r9", "0x7777777777777707"},  {"r10", "0x8888888888888808"}, {"r12", "0x9999999999999909"},
        {"r13", "0xaaaaaaaaaaaaaa0a"}, {"r14", "0xbbbbbbbbbbbbbb0b"}, {"r15", "0xcccccccccccccc0c"},
    };
    std::string body;
    for (auto& [reg, value] : regs) body += fmt::format("\tmovabsq\t${}, %{}\n", value, reg);
    body += R"(
	movq	%rsp, saved_rsp(%rip)
	pushfq
	popq	saved_flags(%rip)
	movl	$39, %eax		# getpid; nothing that changes flags from here to the syscall
	syscall
after_syscall:
	movq	%rsp, %rax
	cmpq	saved_rsp(%rip), %rax
	jne	fail_13
	leaq	after_syscall(%rip), %rax
	cmpq	%rax, %rcx
	jne	fail_14
	cmpq	saved_flags(%rip), %r11
	jne	fail_15
)";
    int index = 1;
    for (auto& [reg, value] : regs) {
        body += fmt::format("\tmovabsq\t${}, %rax\n\tcmpq\t%rax, %{}\n\tjne\tfail_{}\n", value, reg, index);
        ++index;
    }
    body += "\texit_imm 0\n";
    for (int i = 1; i <= 15; ++i) body += fmt::format("fail_{0}:\n\texit_imm {0}\n", i);
    return asm_program(body, "saved_rsp: .quad 0\nsaved_flags: .quad 0");
}

TEST(syscall_abi, only_rax_rcx_r11_change_across_a_syscall) {
    const char* names[] = {"(none)", "rbx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r12", "r13",
                           "r14", "r15", "rsp", "rcx (not the return address)", "r11 (not the user's rflags)"};
    GuestRun run = run_asm(preservation_program());
    ASSERT_TRUE(run.ok()) << run.error;
    ASSERT_EQ(int(run.result.kind), int(RunResult::Kind::exited)) << describe(run);
    int code = run.result.exit_code;
    EXPECT_EQ(code, 0) << "clobbered: " << (code >= 0 && code <= 15 ? names[code] : "?");
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.status(), 0) << "host Linux: " << describe(native);
}

}  // namespace
}  // namespace sysentry::test
