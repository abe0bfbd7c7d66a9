// The page tables as ring 3 meets them: kernel pages are supervisor-only, .text
// is read-only, the last user page below the canonical hole is never mapped,
// and the program's own segments and stack are user-accessible.
#include <gtest/gtest.h>

#include <csignal>

#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// Runs `body` expecting a ring-3 #PF at label `fault_here` for `address`,
// which Linux turns into SIGSEGV; the host kernel must agree.
void expect_user_page_fault(std::string_view body, uint64_t address) {
    GuestRun run = run_asm(asm_program(body));
    ASSERT_TRUE(run.killed_by(SIGSEGV)) << describe(run);
    ASSERT_TRUE(run.result.fault.has_value()) << describe(run);
    EXPECT_EQ(run.result.fault->vector, x86::kPageFault);
    EXPECT_EQ(run.result.fault->cpl, 3u);
    EXPECT_EQ(run.result.fault->rip, run.symbol("fault_here"));
    EXPECT_EQ(run.result.fault->cr2, address);
    ASSERT_EQ(run.events.faults.size(), 1u);
    EXPECT_EQ(run.events.faults[0].signal, SIGSEGV);
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.signal, SIGSEGV) << "host: " << describe(native);
}

TEST(paging, ring3_read_of_kernel_text_is_sigsegv) {
    expect_user_page_fault(R"(
	movabsq	$0xffffffff81000000, %rbx
fault_here:
	movq	(%rbx), %rax
	exit_imm 0
)", 0xffffffff81000000);
}

TEST(paging, ring3_read_of_kernel_direct_map_is_sigsegv) {
    expect_user_page_fault(R"(
	movabsq	$0xffff888000100000, %rbx	# the per-CPU area, which holds the TSS
fault_here:
	movq	(%rbx), %rax
	exit_imm 0
)", 0xffff888000100000);
}

TEST(paging, ring3_write_to_own_text_is_sigsegv) {
    GuestRun probe = run_asm(asm_program(R"(
	leaq	_start(%rip), %rbx
fault_here:
	movb	$0x90, (%rbx)
	exit_imm 0
)"));
    ASSERT_TRUE(probe.ok()) << probe.error;
    expect_user_page_fault(R"(
	leaq	_start(%rip), %rbx
fault_here:
	movb	$0x90, (%rbx)
	exit_imm 0
)", probe.symbol("_start"));
}

TEST(paging, last_user_page_read_is_sigsegv) {
    expect_user_page_fault(R"(
	movabsq	$0x7ffffffff000, %rbx
fault_here:
	movq	(%rbx), %rax
	exit_imm 0
)", x86::kUserAddressEnd);
}

// TASK_SIZE_MAX ends one page below the hole, so mmap refuses the last page
// even with MAP_FIXED; the guest exits with the errno.
TEST(paging, mmap_fixed_at_last_user_page_fails_like_linux) {
    GuestRun run = run_asm(asm_program(R"(
	movl	$9, %eax		# mmap
	movabsq	$0x7ffffffff000, %rdi	# addr: the last page below 2^47
	movl	$4096, %esi		# len
	movl	$3, %edx		# PROT_READ|PROT_WRITE
	movl	$0x32, %r10d		# MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS
	movq	$-1, %r8		# fd
	xorl	%r9d, %r9d		# offset
	syscall
	cmpq	$-4095, %rax
	jae	failed
	exit_imm 100			# mapped: wrong
failed:
	exit_neg_rax
)"));
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.status(), ENOMEM) << "host: " << describe(native);
    EXPECT_TRUE(run.exited(native.exit_code)) << describe(run);
    auto mmap = run.events.first_syscall("mmap");
    ASSERT_TRUE(mmap.has_value());
    EXPECT_EQ(mmap->ret, -ENOMEM);
}

// The mirror image: the page just below the last one is an ordinary user page.
TEST(paging, mmap_fixed_just_below_the_last_user_page_works) {
    GuestRun run = run_asm(asm_program(R"(
	movl	$9, %eax
	movabsq	$0x7fffffffe000, %rdi
	movl	$4096, %esi
	movl	$3, %edx
	movl	$0x32, %r10d
	movq	$-1, %r8
	xorl	%r9d, %r9d
	syscall
	cmpq	$-4095, %rax
	jae	failed
	movq	$0x1234, 4088(%rax)	# the page's last word is writable from ring 3
	cmpq	$0x1234, 4088(%rax)
	jne	bad
	exit_imm 0
bad:
	exit_imm 101
failed:
	exit_neg_rax
)"));
    EXPECT_TRUE(run.exited(0)) << describe(run);
}

TEST(paging, elf_segments_and_stack_are_user_accessible) {
    GuestRun run = run_asm(asm_program(R"(
	movq	(%rsp), %rax		# argc, on the initial stack
	pushq	$0x5a5a			# the stack is writable
	popq	%rbx
	cmpq	$0x5a5a, %rbx
	jne	bad
	movq	counter(%rip), %rcx	# .data is readable...
	addq	$1, %rcx
	movq	%rcx, counter(%rip)	# ...and writable
	cmpq	$42, counter(%rip)
	jne	bad
	movq	bss_word(%rip), %rdx	# .bss reads as zero
	testq	%rdx, %rdx
	jne	bad
	movq	$7, bss_word(%rip)
	movzbl	message(%rip), %esi	# .rodata is readable
	cmpl	$'o', %esi
	jne	bad
	movzbl	_start(%rip), %esi	# .text is readable
	subq	$65536, %rsp		# 64 KiB deeper: the stack grows on demand
	movq	$1, (%rsp)
	addq	$65536, %rsp
	exit_imm 0
bad:
	exit_imm 1
	.section .rodata
message: .ascii "ok"
	.bss
bss_word: .quad 0
)", "counter: .quad 41"));
    EXPECT_TRUE(run.exited(0)) << describe(run);
    EXPECT_TRUE(run_native(run.elf).status() == 0);
}

}  // namespace
}  // namespace sysentry::test
