// The i386 entry (int $0x80 from 64-bit code) and what an unimplemented
// system call gets: -ENOSYS and one warning.
#include <gtest/gtest.h>

#include <cerrno>

#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(int80, write_and_exit_use_the_i386_table) {
    GuestRun run = run_asm(asm_program(R"(
	movl	$4, %eax		# i386 __NR_write
	movl	$1, %ebx
	leaq	msg(%rip), %rcx
	movl	$len, %edx
	int	$0x80
	movl	$1, %eax		# i386 __NR_exit
	movl	$7, %ebx
	int	$0x80
	.section .rodata
msg:	.ascii "via int 0x80\n"
	.set	len, . - msg
)"));
    EXPECT_TRUE(run.exited(7)) << describe(run);
    EXPECT_EQ(run.out, "via int 0x80\n");
    auto write = run.events.first_syscall("write");
    ASSERT_TRUE(write.has_value());
    EXPECT_EQ(int(write->abi), int(SyscallAbi::i386));
    EXPECT_EQ(write->nr, 4);
    EXPECT_EQ(write->ret, 13);
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.status(), 7);
    EXPECT_EQ(native.out, run.out);
}

// The i386 ABI passes 32-bit registers: the upper half of a 64-bit pointer is
// dropped, so 0x1_xxxxxxxx reaches the kernel as 0x0_xxxxxxxx.
TEST(int80, upper_32_bits_of_arguments_are_dropped) {
    GuestRun run = run_asm(asm_program(R"(
	movl	$4, %eax
	movl	$1, %ebx
	leaq	msg(%rip), %rcx
	movabsq	$0x100000000, %rdx
	orq	%rdx, %rcx		# msg + 4 GiB: nothing is mapped there
	movl	$3, %edx
	int	$0x80
	movl	%eax, %ebx		# exit with write's result
	movl	$1, %eax
	int	$0x80
	.section .rodata
msg:	.ascii "ok\n"
)"));
    EXPECT_TRUE(run.exited(3)) << describe(run);
    EXPECT_EQ(run.out, "ok\n");
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.status(), 3) << describe(native);
    EXPECT_EQ(native.out, "ok\n");
}

// int $0x80 enters through an IDT gate and always leaves by IRET, never SYSRET.
TEST(int80, enters_through_the_idt_gate_and_returns_by_iret) {
    GuestRun run = run_asm(asm_program(R"(
	movl	$20, %eax		# i386 __NR_getpid
the_int:
	int	$0x80
	exit_imm 0
)"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    const auto& ts = run.events.transitions;
    // Found by vector: the model reports `before` with RIP already past the
    // `int` (SYSCALL's `before` has RIP on the instruction).
    auto in = std::find_if(ts.begin(), ts.end(), [&](const TransitionEvent& t) {
        return t.kind == TransitionKind::interrupt && t.vector == 0x80;
    });
    ASSERT_NE(in, ts.end()) << "no interrupt transition at the int $0x80:" << describe(ts);
    EXPECT_EQ(in->vector, 0x80);
    EXPECT_EQ(in->before.cpl, 3u);
    EXPECT_EQ(in->after.cpl, 0u);
    EXPECT_EQ(in->after.cs, 0x10);
    EXPECT_EQ(in->after.rip, run.session->machine().kernel_symbol("entry_INT80_compat"));
    EXPECT_FALSE(in->after.rflags & x86::kFlagIf) << "an interrupt gate clears IF";
    uint64_t kstack_top = run.session->kernel().current()->kernel_stack_top;
    EXPECT_EQ(in->after.rsp, kstack_top - 5 * 8) << "the CPU pushed a 5-word frame on TSS.RSP0";
    auto out = std::find_if(in + 1, ts.end(), [](const TransitionEvent& t) { return t.before.cpl == 0; });
    ASSERT_NE(out, ts.end());
    EXPECT_EQ(int(out->kind), int(TransitionKind::iret));
    EXPECT_EQ(out->after.rip, run.symbol("the_int") + 2);
    EXPECT_EQ(out->after.cpl, 3u);
    EXPECT_EQ(out->after.rax, 1000u) << "getpid";
}

// ---- ENOSYS ----

struct EnosysCase {
    const char* name;
    int64_t nr;
    bool host_hole = true;  // also -ENOSYS on the host kernel
};

std::ostream& operator<<(std::ostream& os, const EnosysCase& c) { return os << c.name; }

class enosys : public ::testing::TestWithParam<EnosysCase> {};

TEST_P(enosys, returns_minus_38_and_warns_once) {
    GuestRun run = run_asm(asm_program(fmt::format(R"(
	movl	${0}, %eax
	syscall
	movl	${0}, %eax
	syscall				# a second call: still one warning
	exit_neg_rax
)", GetParam().nr)));
    EXPECT_TRUE(run.exited(ENOSYS)) << describe(run);
    ASSERT_EQ(run.events.warnings.size(), 1u);
    EXPECT_NE(run.events.warnings[0].find(std::to_string(GetParam().nr)), std::string::npos)
        << run.events.warnings[0];
    if (!GetParam().host_hole) return;
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.status(), ENOSYS) << "host Linux: " << describe(native);
}

INSTANTIATE_TEST_SUITE_P(holes, enosys,
                         // 335 is a hole in the model's table; Linux 6.11 gave it to uretprobe (SIGILL
// outside a uprobe trampoline), so the host is not asked about it.
                         ::testing::Values(EnosysCase{"hole_335", 335, false}, EnosysCase{"hole_400", 400},
                                           EnosysCase{"beyond_table_9999", 9999},
                                           EnosysCase{"negative", -1}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(enosys_cli, prints_one_warning_line_per_unimplemented_syscall) {
    ScratchRoot dir = temp_dir();
    fs::path src = write_file(dir.path() / "nosys.s", asm_program(R"(
	movl	$335, %eax
	syscall
	movl	$9999, %eax
	syscall
	movl	$335, %eax
	syscall
	exit_imm 0
)"));
    ProcessRun cli = run_cli({"run", src.string()});
    EXPECT_EQ(cli.status(), 0) << describe(cli);
    std::vector<std::string> lines;
    for (size_t at = 0, nl; (nl = cli.err.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(cli.err.substr(at, nl - at));
    ASSERT_EQ(lines.size(), 2u) << cli.err;
    EXPECT_NE(lines[0].find("335"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("9999"), std::string::npos) << lines[1];
    for (auto& l : lines) EXPECT_NE(l.find("warning"), std::string::npos) << l;
}

}  // namespace
}  // namespace sysentry::test
