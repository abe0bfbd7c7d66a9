# An ordinary write, then the injected case: rt_sigreturn with a forged frame
# whose ip and cx are both 0x800000000000, the first non-canonical address, and
# whose r11 equals its flags, so every other SYSRET condition holds. Linux
# returns by IRET and the program dies of SIGSEGV at that address; a kernel
# that trusts SYSRET takes a #GP in ring 0 instead.
	.globl	_start
	.text
_start:
	movl	$1, %eax			# write(1, msg, len): returns by SYSRET
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$len, %edx
	syscall

	subq	$512, %rsp			# the frame: struct ucontext at rsp (pretcode below it)
	movq	%rsp, %rdi
	movl	$64, %ecx
	xorl	%eax, %eax
	rep stosq				# zero it: no flags, no mask, no FPU state
	movabsq	$0x0000800000000000, %rax
	movq	%rax, 152(%rsp)			# uc_mcontext.rcx
	movq	%rax, 168(%rsp)			# uc_mcontext.rip
	movq	%rsp, 160(%rsp)			# uc_mcontext.rsp
	pushfq
	popq	%rax
	movq	%rax, 64(%rsp)			# uc_mcontext.r11 = ...
	movq	%rax, 176(%rsp)			# ... uc_mcontext.eflags
	movl	$15, %eax			# rt_sigreturn()
	syscall
	movl	$60, %eax			# not reached: exit(1)
	movl	$1, %edi
	syscall

	.section .rodata
msg:	.ascii	"before the injected case\n"
	len = . - msg
