# Reads stdin once into a large buffer and echoes what that one read returned.
	.globl	_start
	.text
_start:
	xorl	%eax, %eax		# read(0, buf, 100)
	xorl	%edi, %edi
	leaq	buf(%rip), %rsi
	movl	$100, %edx
	syscall
	movq	%rax, %rdx		# write(1, buf, what read returned)
	movl	$1, %eax
	movl	$1, %edi
	leaq	buf(%rip), %rsi
	syscall
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.bss
buf:	.skip	100
