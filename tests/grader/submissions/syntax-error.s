	.globl	_start
	.text
_start:
	movl	$1, %eax
	movq	%rax, %zzz
	syscall
