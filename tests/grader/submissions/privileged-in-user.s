# privileged-in-user: cli in ring 3.
	.globl	_start
	.text
_start:
	cli
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
