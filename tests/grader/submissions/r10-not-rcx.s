# r10-not-rcx: mmap's flags (MAP_PRIVATE|MAP_ANONYMOUS) put in rcx.
	.globl	_start
	.text
_start:
	movl	$9, %eax		# mmap
	xorl	%edi, %edi
	movl	$4096, %esi
	movl	$3, %edx		# PROT_READ|PROT_WRITE
	movl	$0x22, %ecx		# wrong: the kernel reads r10
	movq	$-1, %r8
	xorl	%r9d, %r9d
	syscall
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
