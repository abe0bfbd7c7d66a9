/* syscall_init() as Linux 6.x writes it (arch/x86/kernel/cpu/common.c): only
 * STAR here; the entry points and the flag mask moved to idt_syscall_init(),
 * which a CPU with FRED skips (FRED enters the kernel its own way). The mask
 * now also clears the arithmetic flags, RF and ID: 0x257fd5, not 0x47700.
 * Booted by `--kernel-profile modern`. */
#include "sysentry/kernel_abi.h"

#define X86_EFLAGS_CF	0x0001
#define X86_EFLAGS_PF	0x0004
#define X86_EFLAGS_AF	0x0010
#define X86_EFLAGS_ZF	0x0040
#define X86_EFLAGS_SF	0x0080
#define X86_EFLAGS_OF	0x0800
#define X86_EFLAGS_ID	0x200000

	.text
	.globl	syscall_init
syscall_init:
	movl	$MSR_STAR, %ecx
	xorl	%eax, %eax			# STAR[31:0]: the legacy 32-bit target, unused
	movl	$((__USER32_CS << 16) | __KERNEL_CS), %edx	# STAR[63:48] = SYSRET base, STAR[47:32] = SYSCALL CS
	wrmsr
	call	idt_syscall_init		# no FRED on this CPU: program the legacy entry MSRs

	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_SCE, %eax			# enable SYSCALL/SYSRET (Linux does this in head_64.S)
	wrmsr
	ret

	.globl	idt_syscall_init
idt_syscall_init:
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
	movq	$(X86_EFLAGS_CF|X86_EFLAGS_PF|X86_EFLAGS_AF|X86_EFLAGS_ZF|X86_EFLAGS_SF|X86_EFLAGS_TF|X86_EFLAGS_IF|X86_EFLAGS_DF|X86_EFLAGS_OF|X86_EFLAGS_IOPL|X86_EFLAGS_NT|X86_EFLAGS_RF|X86_EFLAGS_AC|X86_EFLAGS_ID), %rax	# 0x257fd5: flags SYSCALL clears
	call	wrmsrl_rax
	ret

/* wrmsrl(ecx, rax): split the 64-bit value into edx:eax for wrmsr. */
wrmsrl_rax:
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
	ret
