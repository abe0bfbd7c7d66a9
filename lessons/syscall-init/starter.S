/* syscall_init(): program the MSRs that make SYSCALL work (lessons/syscall-init).
 * Called once at boot, in ring 0, before the first user program runs.
 * wrmsr writes edx:eax to the MSR numbered ecx; wrmsrl_rax below splits rax for you.
 * The constants (MSR_STAR, __KERNEL_CS, X86_EFLAGS_IF, EFER_SCE, ...) come from kernel_abi.h. */
#include "sysentry/kernel_abi.h"

	.text
	.globl	syscall_init
syscall_init:
	/* TODO 1: STAR. Bits 47:32 are the CS SYSCALL loads (SS = that + 8);
	 * bits 63:48 are the base SYSRET adds 16 (CS) and 8 (SS) to.
	 * Which selector goes in which half? STAR[31:0] is unused: write 0. */

	/* TODO 2: LSTAR, where 64-bit SYSCALL jumps: entry_SYSCALL_64. */

	movl	$MSR_CSTAR, %ecx
	leaq	entry_SYSCALL_compat(%rip), %rax	# SYSCALL from 32-bit code lands here
	call	wrmsrl_rax

	movl	$MSR_IA32_SYSENTER_CS, %ecx
	movq	$__KERNEL_CS, %rax		# SYSENTER (Intel only in compat mode) enters at this CS
	call	wrmsrl_rax

	movl	$MSR_IA32_SYSENTER_ESP, %ecx
	xorl	%eax, %eax			# SYSENTER's stack: the entry code finds its own
	call	wrmsrl_rax

	movl	$MSR_IA32_SYSENTER_EIP, %ecx
	leaq	entry_SYSENTER_compat(%rip), %rax	# SYSENTER lands here
	call	wrmsrl_rax

	/* TODO 3: SYSCALL_MASK, the RFLAGS bits SYSCALL clears on entry. Which flags
	 * must be clear before the kernel runs its first instruction, and why? */

	/* TODO 4: EFER.SCE. Read EFER, set SCE, write it back: without it SYSCALL is #UD. */
	ret

/* wrmsrl(ecx, rax): split the 64-bit value into edx:eax for wrmsr. */
wrmsrl_rax:
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
	ret
