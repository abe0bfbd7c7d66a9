/* A deliberately wrong syscall_init: diagnostic mask-missing-flag. */
/* syscall_init(), as the seed shows it (arch/x86/kernel/cpu/common.c, Linux 4.x),
 * with CONFIG_IA32_EMULATION. Every MSR is written by a real wrmsr. */
#include "sysentry/kernel_abi.h"

	.text
	.globl	syscall_init
syscall_init:
	movl	$MSR_STAR, %ecx
	xorl	%eax, %eax			# STAR[31:0]: the legacy 32-bit target, unused
	movl	$((__USER32_CS << 16) | __KERNEL_CS), %edx	# STAR[63:48] = SYSRET base, STAR[47:32] = SYSCALL CS
	wrmsr

	movl	$MSR_LSTAR, %ecx
	leaq	entry_SYSCALL_64(%rip), %rax	# 64-bit SYSCALL lands here
	call	wrmsrl_rax

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

	movl	$MSR_SYSCALL_MASK, %ecx
	movq	$(X86_EFLAGS_TF|X86_EFLAGS_DF|X86_EFLAGS_IOPL|X86_EFLAGS_AC|X86_EFLAGS_NT), %rax	# flags SYSCALL clears
	call	wrmsrl_rax

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_SCE, %eax			# enable SYSCALL/SYSRET (Linux does this in head_64.S)
	wrmsr
	ret

/* wrmsrl(ecx, rax): split the 64-bit value into edx:eax for wrmsr. */
wrmsrl_rax:
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
	ret
