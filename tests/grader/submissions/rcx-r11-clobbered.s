# rcx-r11-clobbered: a loop counter kept in rcx across write.
	.globl	_start
	.text
_start:
	movl	$3, %ecx
again:
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$3, %edx
	syscall
	decl	%ecx			# rcx now holds the return address
	jnz	again
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.section .rodata
msg:	.ascii	"hi\n"
