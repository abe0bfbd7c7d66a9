# unchecked-error: write to a closed descriptor fails with EBADF; rax is never tested.
	.globl	_start
	.text
_start:
	movl	$1, %eax
	movl	$9, %edi		# not open
	leaq	msg(%rip), %rsi
	movl	$3, %edx
	syscall
	movl	$60, %eax		# overwrites -EBADF untested
	xorl	%edi, %edi
	syscall
	.section .rodata
msg:	.ascii	"hi\n"
