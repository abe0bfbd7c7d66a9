# errno: a wrong submission, which the checks must reject.
# The mistake: exits with rax itself, not -rax.
	.globl	_start
	.text
_start:
	movq	16(%rsp), %rdi		# argv[1]: rsp -> argc, argv[0], argv[1], ...
	xorl	%esi, %esi		# flags = O_RDONLY
	movl	$2, %eax		# __NR_open
	syscall
	testq	%rax, %rax
	js	failed			# -4095..-1: the call failed, rax = -errno
	movq	%rax, %rdi		# close(fd): tidy, and a success still exits 0
	movl	$3, %eax		# __NR_close
	syscall
	xorl	%edi, %edi
	jmp	leave
failed:
	movq	%rax, %rdi
	
leave:
	movl	$60, %eax		# __NR_exit
	syscall
