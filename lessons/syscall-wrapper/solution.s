# syscall-wrapper, reference solution: libc's syscall(2) in assembly.
#
#   long my_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
#
# C passes nr, a1..a5 in rdi, rsi, rdx, rcx, r8, r9 and a6 on the stack;
# the kernel wants nr in rax and a1..a6 in rdi, rsi, rdx, r10, r8, r9.
	.globl	my_syscall
	.type	my_syscall, @function
	.text
my_syscall:
	movq	%rdi, %rax		# nr
	movq	%rsi, %rdi		# a1
	movq	%rdx, %rsi		# a2
	movq	%rcx, %rdx		# a3
	movq	%r8, %r10		# a4: r10, because syscall overwrites rcx
	movq	%r9, %r8		# a5
	movq	8(%rsp), %r9		# a6: the 7th C argument, above the return address
	syscall
	cmpq	$-4095, %rax		# -4095..-1 is -errno
	jae	error
	ret
error:
	negl	%eax			# the error number
	pushq	%rax			# keep it; also aligns rsp to 16 for the call
	call	__errno_location	# glibc's errno is per thread: ask where it is
	popq	%rcx
	movl	%ecx, (%rax)		# errno = error number
	movq	$-1, %rax
	ret
	.size	my_syscall, . - my_syscall
	.section .note.GNU-stack, "", @progbits
