	.globl	_start
	.text
_start:
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$3, %edx
	syscall
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.section .rodata
msg:	.ascii	"hi\n"
