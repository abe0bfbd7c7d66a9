# no-exit: writes, then runs off the end of its code.
	.globl	_start
	.text
_start:
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$3, %edx
	syscall
	.section .rodata
msg:	.ascii	"hi\n"
