# i386-numbers: i386's write (4) and exit (1) with syscall.
	.globl	_start
	.text
_start:
	movl	$4, %eax
	movl	$1, %ebx
	leaq	msg(%rip), %rcx
	movl	$3, %edx
	syscall
	movl	$1, %eax
	xorl	%ebx, %ebx
	syscall
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.section .rodata
msg:	.ascii	"hi\n"
