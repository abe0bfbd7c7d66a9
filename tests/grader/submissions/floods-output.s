# Writes for ever: the output limit stops it.
	.globl	_start
	.text
_start:
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$3, %edx
	syscall
	jmp	_start
	.section .rodata
msg:	.ascii	"hi\n"
