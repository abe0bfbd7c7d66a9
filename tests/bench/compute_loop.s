# compute_loop.s: a pure-CPU loop with no system calls inside it.
# xorshift64 (Marsaglia's 13/7/17 shifts) run N times over registers; N is
# argv[1] in decimal (default 600000000). The final state's low byte is
# the exit status, so the loop's result is observable and cannot be skipped.
	.globl	_start
	.text
_start:
	movq	$600000000, %r12	# default count
	cmpq	$2, (%rsp)
	jb	start_loop
	movq	16(%rsp), %rsi		# argv[1]
	xorl	%r12d, %r12d
parse:
	movzbl	(%rsi), %eax
	subl	$'0', %eax
	cmpl	$9, %eax
	ja	start_loop
	imulq	$10, %r12
	addq	%rax, %r12
	incq	%rsi
	jmp	parse
start_loop:
	movabsq	$0x9e3779b97f4a7c15, %rbx	# any nonzero seed
	testq	%r12, %r12
	jz	done
step:
	movq	%rbx, %rdx
	shlq	$13, %rdx
	xorq	%rdx, %rbx
	movq	%rbx, %rdx
	shrq	$7, %rdx
	xorq	%rdx, %rbx
	movq	%rbx, %rdx
	shlq	$17, %rdx
	xorq	%rdx, %rbx
	decq	%r12
	jnz	step
done:
	movzbl	%bl, %edi		# exit status = low byte of the state
	movl	$60, %eax		# __NR_exit
	syscall
