/* A deliberately wrong entry stub: diagnostic user-register-clobbered. */
/* 64-bit SYSCALL entry, modelled on Linux's entry_SYSCALL_64 (arch/x86/entry/entry_64.S).
 *
 * SYSCALL has put the return RIP in rcx and RFLAGS (RF cleared) in r11, masked
 * RFLAGS with SYSCALL_MASK, loaded CS/SS from STAR and jumped here. It did not
 * touch the stack: rsp is still the user's, and untrusted.
 *
 * Registers on entry:
 *   rax  system call number        rdi  arg0     r10  arg3 (rcx is taken by SYSCALL)
 *   rcx  return address            rsi  arg1     r8   arg4
 *   r11  saved rflags              rdx  arg2     r9   arg5
 *   rsp  user stack; rbx, rbp, r12-r15 are the user's and must survive.
 */
#include "sysentry/kernel_abi.h"

/* pt_regs below orig_ax, in Linux's order (its PUSH_AND_CLEAR_REGS / POP_REGS). */
.macro PUSH_REGS
	pushq	%rdi				/* pt_regs->di */
	pushq	%rsi				/* pt_regs->si */
	pushq	%rdx				/* pt_regs->dx */
	pushq	%rcx				/* pt_regs->cx */
	pushq	$-ENOSYS			/* pt_regs->ax: the result unless a handler sets one */
	pushq	%r8				/* pt_regs->r8 */
	pushq	%r9				/* pt_regs->r9 */
	pushq	%r10				/* pt_regs->r10 */
	pushq	%r11				/* pt_regs->r11 */
	pushq	%rbx				/* pt_regs->bx */
	pushq	%rbp				/* pt_regs->bp */
	pushq	%r12				/* pt_regs->r12 */
	pushq	%r13				/* pt_regs->r13 */
	pushq	%r14				/* pt_regs->r14 */
	pushq	%r15				/* pt_regs->r15 */
.endm

.macro POP_REGS
	popq	%r15				/* pt_regs->r15 */
	popq	%r14				/* pt_regs->r14 */
	popq	%r13				/* pt_regs->r13 */
	popq	%r12				/* pt_regs->r12 */
	popq	%rbp				/* pt_regs->bp */
	popq	%rbx				/* pt_regs->bx */
	popq	%r11				/* pt_regs->r11 */
	popq	%r10				/* pt_regs->r10 */
	popq	%r9				/* pt_regs->r9 */
	popq	%r8				/* pt_regs->r8 */
	popq	%rax				/* pt_regs->ax: the return value */
	popq	%rcx				/* pt_regs->cx */
	popq	%rsi				/* pt_regs->dx */
	popq	%rdx				/* pt_regs->si */
	popq	%rdi				/* pt_regs->di; rsp now at pt_regs->orig_ax */
.endm

	.text
	.globl	entry_SYSCALL_64
entry_SYSCALL_64:
	swapgs					# GS.base <- this CPU's per-CPU area
	movq	%rsp, %gs:PCPU_USER_RSP_SCRATCH	# park the user RSP in per-CPU scratch
	movq	%gs:PCPU_TOP_OF_STACK, %rsp	# switch to this task's kernel stack
	pushq	$__USER_DS			# pt_regs->ss
	pushq	%gs:PCPU_USER_RSP_SCRATCH	# pt_regs->sp
	pushq	%r11				# pt_regs->flags
	pushq	$__USER_CS			# pt_regs->cs
	pushq	%rcx				# pt_regs->ip
	pushq	%rax				# pt_regs->orig_ax
	PUSH_REGS				# pt_regs->di ... r15, with ax = -ENOSYS
	movq	%rsp, %rdi			# do_syscall_64 arg 1: regs
	movslq	%eax, %rsi			# arg 2: nr, an int as Linux treats it
	outb	%al, $SYSENTRY_PORT_DO_SYSCALL_64	# do_syscall_64(regs, nr): the C++ kernel serves it into pt_regs->ax
	cmpb	$0, %gs:PCPU_NEED_RESCHED	# TIF_NEED_RESCHED: the call blocked or the task ended?
	je	1f
	hlt					# schedule(): the model switches tasks; this one resumes here
1:

	/* SYSRET rebuilds RIP from RCX, RFLAGS from R11 and CS/SS from STAR: use it
	 * only when pt_regs says exactly that, as do_syscall_64 decides. */
	movq	PTREGS_RCX(%rsp), %rcx		# the RIP SYSRET would return to
	cmpq	%rcx, PTREGS_RIP(%rsp)		# did the kernel change pt_regs->ip (execve, signals)?
	jne	swapgs_restore_regs_and_return_to_usermode
	shlq	$16, %rcx			# sign-extend from bit 47...
	sarq	$16, %rcx
	cmpq	%rcx, PTREGS_RCX(%rsp)		# ...non-canonical RCX makes SYSRET #GP in ring 0 (CVE-2012-0217)
	jne	swapgs_restore_regs_and_return_to_usermode
	cmpq	$__USER_CS, PTREGS_CS(%rsp)	# SYSRET can only load the default CS
	jne	swapgs_restore_regs_and_return_to_usermode
	cmpq	$__USER_DS, PTREGS_SS(%rsp)	# ...and the default SS
	jne	swapgs_restore_regs_and_return_to_usermode
	movq	PTREGS_R11(%rsp), %r11		# the RFLAGS SYSRET would restore
	cmpq	%r11, PTREGS_EFLAGS(%rsp)	# did the kernel change pt_regs->flags?
	jne	swapgs_restore_regs_and_return_to_usermode
	testq	$(X86_EFLAGS_RF|X86_EFLAGS_TF), %r11	# SYSRET can't restore RF, and TF would trap before user code
	jnz	swapgs_restore_regs_and_return_to_usermode

syscall_return_via_sysret:
	POP_REGS				# r15 ... rdi (rcx == ip and r11 == flags, checked above)
	movq	PTREGS_RSP-PTREGS_ORIG_RAX(%rsp), %rsp	# back onto the user stack
	swapgs					# GS.base <- the user's again
	sysretq					# RIP <- RCX, RFLAGS <- R11, CS/SS from STAR, CPL 3

/* The general way back: restore everything from pt_regs and IRET, which can
 * return to any RIP, RFLAGS, CS and SS. */
	.globl	swapgs_restore_regs_and_return_to_usermode
swapgs_restore_regs_and_return_to_usermode:
	POP_REGS				# r15 ... rdi
	addq	$8, %rsp			# drop orig_ax: what remains is an IRET frame
	swapgs					# GS.base <- the user's again
	iretq					# pop ip, cs, flags, sp, ss: back to ring 3

/* int $0x80 from 64-bit code: the i386 table, arguments in ebx, ecx, edx, esi,
 * edi, ebp. The CPU pushed an IRET frame on the TSS.RSP0 stack and cleared IF. */
	.globl	entry_INT80_compat
entry_INT80_compat:
	swapgs					# GS.base <- this CPU's per-CPU area
	pushq	%rax				# pt_regs->orig_ax
	PUSH_REGS				# pt_regs->di ... r15, with ax = -ENOSYS
	movq	%rsp, %rdi			# do_int80_syscall_32 arg 1: regs
	movl	%eax, %esi			# arg 2: nr, 32 bits
	outb	%al, $SYSENTRY_PORT_DO_INT80	# do_int80_syscall_32(regs, nr): the C++ kernel serves it
	cmpb	$0, %gs:PCPU_NEED_RESCHED	# TIF_NEED_RESCHED: the call blocked or the task ended?
	je	1f
	hlt					# schedule(): the model switches tasks; this one resumes here
1:
	jmp	swapgs_restore_regs_and_return_to_usermode	# int $0x80 always returns by IRET

/* 32-bit SYSCALL and SYSENTER: sysentry runs no 32-bit code, so reaching these is an oops. */
	.globl	entry_SYSCALL_compat
entry_SYSCALL_compat:
	ud2					# no compat mode: a kernel oops
	.globl	entry_SYSENTER_compat
entry_SYSENTER_compat:
	ud2					# no compat mode: a kernel oops
