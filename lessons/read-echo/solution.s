# read-echo, reference solution: copy standard input to standard output until
# read returns 0 (end of file). Short reads and short writes are both fine.
	.globl	_start
	.set	BUF_SIZE, 4096
	.text
_start:
read_more:
	xorl	%eax, %eax		# __NR_read
	xorl	%edi, %edi		# fd 0: standard input
	leaq	buf(%rip), %rsi
	movl	$BUF_SIZE, %edx		# at most this much; the kernel may return less
	syscall
	testq	%rax, %rax
	jz	done			# 0: end of file
	js	failed			# -errno
	leaq	buf(%rip), %r12		# r12 = next byte to write
	movq	%rax, %r13		# r13 = bytes still to write
write_more:
	movl	$1, %eax		# __NR_write
	movl	$1, %edi
	movq	%r12, %rsi
	movq	%r13, %rdx
	syscall
	testq	%rax, %rax
	js	failed
	addq	%rax, %r12		# a short write: carry on after what was taken
	subq	%rax, %r13
	jnz	write_more
	jmp	read_more
done:
	xorl	%edi, %edi
	jmp	leave
failed:
	movl	$1, %edi
leave:
	movl	$60, %eax		# __NR_exit
	syscall

	.bss
buf:	.skip	BUF_SIZE
