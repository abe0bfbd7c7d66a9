// What ring 3 may not do, and what happens when it faults: the CPU raises the
// exception, the kernel model sends the signal Linux's trap handlers send, and
// the process dies of its default action. Each program also runs on the host
// kernel, whose verdict must be the same.
#include <gtest/gtest.h>

#include <csignal>

#include "sysentry/exit_status.hpp"
#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

struct FaultCase {
    const char* name;
    std::string_view body;  // must put `fault_here:` on the faulting instruction
    int signal;
    uint8_t vector;
};

std::ostream& operator<<(std::ostream& os, const FaultCase& c) { return os << c.name; }

void expect_fault(const FaultCase& c) {
    GuestRun run = run_asm(asm_program(c.body));
    ASSERT_TRUE(run.ok()) << run.error;
    EXPECT_TRUE(run.killed_by(c.signal)) << "want " << signal_name(c.signal) << ": " << describe(run);
    ASSERT_TRUE(run.result.fault.has_value()) << describe(run);
    EXPECT_EQ(int(run.result.fault->vector), int(c.vector));
    EXPECT_EQ(run.result.fault->cpl, 3u);
    if (c.vector != x86::kBreakpoint) {  // a trap: RIP is already past int3
        EXPECT_EQ(run.result.fault->rip, run.symbol("fault_here")) << "a fault reports the faulting instruction";
    }
    ASSERT_EQ(run.events.exits.size(), 1u);
    EXPECT_EQ(run.events.exits[0].signal, c.signal);
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.signal, c.signal) << "host Linux: " << describe(native);
}

// ---- privileged instructions: #GP at CPL 3 -> SIGSEGV (SI_KERNEL) ----

class privileged_instruction : public ::testing::TestWithParam<FaultCase> {};

TEST_P(privileged_instruction, in_ring3_is_sigsegv_at_that_instruction) { expect_fault(GetParam()); }

constexpr FaultCase kPrivileged[] = {
    {"cli", "fault_here: cli", SIGSEGV, x86::kGeneralProtection},
    {"sti", "fault_here: sti", SIGSEGV, x86::kGeneralProtection},
    {"hlt", "fault_here: hlt", SIGSEGV, x86::kGeneralProtection},
    {"wrmsr", "\tmovl $0xc0000082, %ecx\nfault_here: wrmsr", SIGSEGV, x86::kGeneralProtection},
    {"rdmsr", "\tmovl $0xc0000082, %ecx\nfault_here: rdmsr", SIGSEGV, x86::kGeneralProtection},
    {"swapgs", "fault_here: swapgs", SIGSEGV, x86::kGeneralProtection},
    {"read_cr3", "fault_here: movq %cr3, %rax", SIGSEGV, x86::kGeneralProtection},
    {"write_cr3", "\txorl %eax, %eax\nfault_here: movq %rax, %cr3", SIGSEGV, x86::kGeneralProtection},
    {"lgdt", "\tsubq $16, %rsp\nfault_here: lgdt (%rsp)", SIGSEGV, x86::kGeneralProtection},
    {"lidt", "\tsubq $16, %rsp\nfault_here: lidt (%rsp)", SIGSEGV, x86::kGeneralProtection},
    {"invlpg", "fault_here: invlpg (%rsp)", SIGSEGV, x86::kGeneralProtection},
    {"clts", "fault_here: clts", SIGSEGV, x86::kGeneralProtection},
    {"out", "fault_here: outb %al, $0x80", SIGSEGV, x86::kGeneralProtection},
    {"in", "fault_here: inb $0x80, %al", SIGSEGV, x86::kGeneralProtection},
    // The model's own dispatch port: ring 3 must not reach do_syscall_64 with it.
    {"out_dispatch_port", "\tmovl $39, %eax\n\tmovq %rsp, %rdi\nfault_here: outb %al, $0xe0", SIGSEGV,
     x86::kGeneralProtection},
    {"sysretq", "\tleaq 1f(%rip), %rcx\n\tpushfq\n\tpopq %r11\nfault_here: sysretq\n1:", SIGSEGV,
     x86::kGeneralProtection},
    // An IRET frame whose CS has RPL 0: returning to an inner ring is #GP(selector).
    {"iretq_to_ring0", R"(
	movq	%rsp, %rax
	pushq	$0x18			# ss: __KERNEL_DS
	pushq	%rax			# rsp
	pushfq				# rflags
	pushq	$0x10			# cs: __KERNEL_CS, RPL 0 < CPL 3
	leaq	1f(%rip), %rax
	pushq	%rax			# rip
fault_here:
	iretq
1:)", SIGSEGV, x86::kGeneralProtection},
    // A far call through sysentry's carrier gate (GDT 16, DPL 3) from user code:
    // Linux has no such gate, so the model must refuse it like Linux refuses a null one.
    {"lcall_carrier_gate", R"(
	lcall	*farptr(%rip)
	exit_imm 0
farptr:	.long 0
	.word 0x83
	.text
	.globl fault_here
	.set fault_here, _start)", SIGSEGV, x86::kGeneralProtection},
    // int n through an IDT gate with DPL 0: #GP, as Linux's idt has for vector 13.
    {"int_0x0d", "fault_here: int $0x0d", SIGSEGV, x86::kGeneralProtection},
};

INSTANTIATE_TEST_SUITE_P(spine, privileged_instruction, ::testing::ValuesIn(kPrivileged),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- faults and their signals (arch/x86/kernel/traps.c) ----

class user_fault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(user_fault, kills_with_the_linux_signal) { expect_fault(GetParam()); }

constexpr FaultCase kFaults[] = {
    {"divide_error", "\txorl %ecx, %ecx\n\tmovl $1, %eax\n\tcltd\nfault_here: idivl %ecx", SIGFPE,
     x86::kDivideError},
    {"invalid_opcode", "fault_here: ud2", SIGILL, x86::kInvalidOpcode},
    {"breakpoint", "fault_here: int3", SIGTRAP, x86::kBreakpoint},
    {"general_protection_non_canonical",
     "\tmovabsq $0x8000000000000000, %rbx\nfault_here: movq (%rbx), %rax", SIGSEGV, x86::kGeneralProtection},
    {"page_fault_null", "fault_here: movq 0x10, %rax", SIGSEGV, x86::kPageFault},
    {"page_fault_unmapped_low", "\tmovl $0x10000000, %ebx\nfault_here: movq %rax, (%rbx)", SIGSEGV,
     x86::kPageFault},
    {"page_fault_kernel", "\tmovabsq $0xffffffff81000000, %rbx\nfault_here: movq (%rbx), %rax", SIGSEGV,
     x86::kPageFault},
    // An instruction fetch fault: the jump completed, RIP is the target.
    {"jump_to_kernel_text", "\tmovabsq $0xffffffff81000000, %rbx\n\tjmp *%rbx\n\t.set fault_here, 0xffffffff81000000", SIGSEGV,
     x86::kPageFault},
    {"push_into_last_user_page",
     "\tmovabsq $0x7ffffffff008, %rsp\nfault_here: pushq $0", SIGSEGV, x86::kPageFault},  // writes at 0x7ffffffff000
};

INSTANTIATE_TEST_SUITE_P(spine, user_fault, ::testing::ValuesIn(kFaults),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- the same deaths through the CLI: 128+signo and strace's last line ----

struct CliFaultCase {
    const char* name;
    std::string_view body;
    int signal;
};

std::ostream& operator<<(std::ostream& os, const CliFaultCase& c) { return os << c.name; }

class cli_fault : public ::testing::TestWithParam<CliFaultCase> {};

TEST_P(cli_fault, exit_status_is_128_plus_signo_and_stderr_says_killed) {
    ScratchRoot dir = temp_dir();
    fs::path src = write_file(dir.path() / "fault.s", asm_program(GetParam().body));
    ProcessRun cli = run_cli({"run", src.string()});
    EXPECT_EQ(cli.status(), kSignalExitBase + GetParam().signal) << describe(cli);
    EXPECT_EQ(cli.signal, 0) << "sysentry itself must not die";
    std::string err = cli.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    std::string last = err.substr(err.rfind('\n') == std::string::npos ? 0 : err.rfind('\n') + 1);
    EXPECT_EQ(last, fmt::format("+++ killed by {} +++", signal_name(GetParam().signal))) << describe(cli);
}

constexpr CliFaultCase kCliFaults[] = {
    {"sigfpe", "\txorl %ecx, %ecx\n\tmovl $1, %eax\n\tcltd\n\tidivl %ecx", SIGFPE},
    {"sigill", "\tud2", SIGILL},
    {"sigtrap", "\tint3", SIGTRAP},
    {"sigsegv_gp", "\tcli", SIGSEGV},
    {"sigsegv_pf", "\tmovabsq $0xffffffff81000000, %rbx\n\tmovq (%rbx), %rax", SIGSEGV},
    {"sigsegv_null", "\tmovq 0x10, %rax", SIGSEGV},
};

INSTANTIATE_TEST_SUITE_P(spine, cli_fault, ::testing::ValuesIn(kCliFaults),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sysentry::test
