# pipe-talk: a wrong submission, which the checks must reject.
# The mistake: the child never closes its copy of the write end: it waits for itself.
	.globl	_start
	.text
_start:
	subq	$16, %rsp		# int fds[2] at (%rsp): fds[0] read end, fds[1] write end
	movl	$22, %eax		# pipe(fds)
	movq	%rsp, %rdi
	syscall
	testq	%rax, %rax
	jnz	failed
	movl	(%rsp), %r12d		# r12 = read end
	movl	4(%rsp), %r13d		# r13 = write end
	movl	$57, %eax		# fork()
	syscall
	testq	%rax, %rax
	js	failed
	jz	child
	movq	%rax, %rbx		# parent: rbx = child's pid
	movl	$3, %eax		# close(read end): the parent only writes
	movq	%r12, %rdi
	syscall
	movl	$1, %eax		# write(write end, msg, msg_len)
	movq	%r13, %rdi
	leaq	msg(%rip), %rsi
	movl	$msg_len, %edx
	syscall
	movl	$3, %eax		# close(write end): the child's read will return 0
	movq	%r13, %rdi
	syscall
	movl	$61, %eax		# wait4(child, NULL, 0, NULL)
	movq	%rbx, %rdi
	xorl	%esi, %esi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	xorl	%edi, %edi
	jmp	leave

child:
next:
	xorl	%eax, %eax		# read(read end, buf, 64)
	movq	%r12, %rdi
	leaq	buf(%rip), %rsi
	movl	$64, %edx
	syscall
	testq	%rax, %rax
	jz	drained			# 0: every write end is closed
	js	failed
	movq	%rax, %rdx		# write(1, buf, what arrived)
	movl	$1, %eax
	movl	$1, %edi
	leaq	buf(%rip), %rsi
	syscall
	jmp	next
drained:
	movl	$3, %eax		# close(read end)
	movq	%r12, %rdi
	syscall
	xorl	%edi, %edi
	jmp	leave
failed:
	movl	$1, %edi
leave:
	movl	$60, %eax
	syscall

	.data
msg:	.ascii	"a message through the pipe\n"
	.set	msg_len, . - msg
	.bss
buf:	.skip	64
