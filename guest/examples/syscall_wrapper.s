# long my_syscall(long nr, ...): our own syscall(2), the libc function the man
# page describes. A C call passes nr and the first five arguments in rdi, rsi,
# rdx, rcx, r8, r9 and the sixth on the stack; the kernel wants the number in
# rax and the arguments in rdi, rsi, rdx, r10, r8, r9 (rcx is lost to SYSCALL,
# which writes the return address there). So every register shifts down by one.
	.text
	.globl	my_syscall
	.type	my_syscall, @function
my_syscall:
	movq	%rdi, %rax		# nr -> rax
	movq	%rsi, %rdi		# arg1
	movq	%rdx, %rsi		# arg2
	movq	%rcx, %rdx		# arg3
	movq	%r8, %r10		# arg4: r10, not rcx
	movq	%r9, %r8		# arg5
	movq	8(%rsp), %r9		# arg6: the C caller's 7th argument, above the return address
	syscall				# rcx <- return RIP, r11 <- RFLAGS; the result comes back in rax
	cmpq	$-4095, %rax		# -4095..-1 is -errno
	jae	1f
	ret
1:	negl	%eax			# the errno value
	pushq	%rax			# keep it (and align the stack for the call)
	call	__errno_location	# &errno of this thread
	popq	%rcx
	movl	%ecx, (%rax)		# errno = -result
	movq	$-1, %rax		# the C convention: -1 and errno
	ret
	.size	my_syscall, .-my_syscall
	.section .note.GNU-stack,"",@progbits
