# int80-port, reference solution: the 32-bit program on the 64-bit ABI.
	.globl	_start
	.text
_start:
	subq	$16, %rsp		# the message on the stack, above 4 GiB
	movl	$0x6c6c6548, (%rsp)	# "Hell"
	movl	$0x7473206f, 4(%rsp)	# "o st"
	movl	$0x216b6361, 8(%rsp)	# "ack!"
	movb	$'\n', 12(%rsp)
	movl	$1, %eax		# __NR_write (x86-64)
	movl	$1, %edi		# fd: rdi, not ebx
	movq	%rsp, %rsi		# buf: all 64 bits of the address
	movl	$13, %edx		# count
	syscall
	movq	%rax, %rdi		# status = what write returned
	movl	$60, %eax		# __NR_exit (x86-64)
	syscall
