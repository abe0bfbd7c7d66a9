# wrong-length: rdx counts the NUL padding after the text.
	.globl	_start
	.text
_start:
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$8, %edx		# "hi\n" is 3 bytes
	syscall
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.section .rodata
msg:	.asciz	"hi\n"
	.quad	0
