# int80-in-64bit: write through int $0x80 from a buffer on the stack (above 4 GiB).
	.globl	_start
	.text
_start:
	subq	$16, %rsp
	movl	$0x0a6968, (%rsp)	# "hi\n"
	movl	$4, %eax		# i386 write
	movl	$1, %ebx
	movq	%rsp, %rcx		# cut to 32 bits by the i386 entry
	movl	$3, %edx
	int	$0x80
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
