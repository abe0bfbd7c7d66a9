# getpid_loop.s: N getpid system calls in a row, then exit(0).
# N is argv[1] in decimal (default 1000000); N = 0 measures start-up alone,
# so time(N) - time(0) is the cost of N round trips through the kernel.
	.globl	_start
	.text
_start:
	movq	$1000000, %r12		# default count
	cmpq	$2, (%rsp)		# argc < 2: keep the default
	jb	loop_test
	movq	16(%rsp), %rsi		# argv[1]
	xorl	%r12d, %r12d
parse:
	movzbl	(%rsi), %eax
	subl	$'0', %eax
	cmpl	$9, %eax		# stop at the first non-digit (NUL included)
	ja	loop_test
	imulq	$10, %r12
	addq	%rax, %r12
	incq	%rsi
	jmp	parse
loop_body:
	movl	$39, %eax		# __NR_getpid
	syscall				# clobbers rcx and r11, so the count lives in r12
	decq	%r12
loop_test:
	testq	%r12, %r12
	jnz	loop_body
	movl	$60, %eax		# __NR_exit
	xorl	%edi, %edi
	syscall
