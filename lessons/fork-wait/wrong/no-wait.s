# fork-wait: a wrong submission, which the checks must reject.
# The mistake: the parent exits without waiting for its child.
	.globl	_start
	.text
_start:
	movl	$57, %eax		# __NR_fork
	syscall				# returns twice: 0 in the child, the child's pid in the parent
	testq	%rax, %rax
	js	failed
	jz	child
	movq	%rax, %rbx		# the child's pid
	subq	$16, %rsp		# room for the wait status
	jmp	failed			# no wait4
	movq	%rbx, %rdi
	movq	%rsp, %rsi
	xorl	%edx, %edx
	xorl	%r10d, %r10d		# 4th argument: r10
	syscall
	cmpq	%rbx, %rax		# wait4 returns the pid it reaped
	jne	failed
	movl	(%rsp), %edi		# status: exit code in bits 8-15 (WEXITSTATUS)
	shrl	$8, %edi
	andl	$0xff, %edi
	movl	$60, %eax
	syscall
child:
	movl	$60, %eax		# exit(7)
	movl	$7, %edi
	syscall
failed:
	movl	$60, %eax
	movl	$1, %edi
	syscall
