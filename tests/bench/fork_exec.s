# fork_exec.s: fork, the child execve()s /proc/self/exe (this program again,
# with an argument), the parent waits for it and exits with its status.
# Start-up + one fork + one execve + one exit: time minus `hello`'s start-up
# is what a shell pays per command it runs.
	.globl	_start
	.text
_start:
	cmpq	$1, (%rsp)		# argc > 1: the exec'd child, done
	jne	child
	movl	$57, %eax		# __NR_fork
	syscall
	testq	%rax, %rax
	jnz	parent
	leaq	self(%rip), %rdi
	leaq	argv(%rip), %rsi
	xorl	%edx, %edx		# no environment
	movl	$59, %eax		# __NR_execve
	syscall
	movl	$60, %eax		# only when execve failed
	movl	$127, %edi
	syscall
parent:
	movl	$61, %eax		# __NR_wait4(-1, &status, 0, NULL)
	movq	$-1, %rdi
	leaq	status(%rip), %rsi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	movl	status(%rip), %edi
	shrl	$8, %edi		# WEXITSTATUS
	movl	$60, %eax
	syscall
child:
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.data
self:	.asciz	"/proc/self/exe"
child_arg: .asciz "child"
argv:	.quad	self, child_arg, 0
status:	.long	0
