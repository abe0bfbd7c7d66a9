# files-copy, reference solution: copy argv[1] to argv[2], like cp.
	.globl	_start
	.set	O_WRONLY, 01
	.set	O_CREAT, 0100
	.set	O_TRUNC, 01000
	.set	BUF_SIZE, 4096
	.text
_start:
	movq	24(%rsp), %r14		# argv[2], the destination, for later
	movl	$2, %eax		# open(argv[1], O_RDONLY)
	movq	16(%rsp), %rdi
	xorl	%esi, %esi
	syscall
	testq	%rax, %rax
	js	failed
	movq	%rax, %r12		# r12 = source fd
	movl	$2, %eax		# open(argv[2], O_WRONLY|O_CREAT|O_TRUNC, 0644)
	movq	%r14, %rdi
	movl	$(O_WRONLY|O_CREAT|O_TRUNC), %esi
	movl	$0644, %edx
	syscall
	testq	%rax, %rax
	js	failed
	movq	%rax, %r13		# r13 = destination fd
copy:
	xorl	%eax, %eax		# read(src, buf, BUF_SIZE)
	movq	%r12, %rdi
	leaq	buf(%rip), %rsi
	movl	$BUF_SIZE, %edx
	syscall
	testq	%rax, %rax
	jz	copied			# end of file
	js	failed
	leaq	buf(%rip), %rbx		# rbx = next byte, r15 = bytes left
	movq	%rax, %r15
put:
	movl	$1, %eax		# write(dst, rbx, r15)
	movq	%r13, %rdi
	movq	%rbx, %rsi
	movq	%r15, %rdx
	syscall
	testq	%rax, %rax
	js	failed
	addq	%rax, %rbx
	subq	%rax, %r15
	jnz	put
	jmp	copy
copied:
	movl	$3, %eax		# close(src)
	movq	%r12, %rdi
	syscall
	movl	$3, %eax		# close(dst): its errors matter too (a full disk shows here)
	movq	%r13, %rdi
	syscall
	testq	%rax, %rax
	js	failed
	xorl	%edi, %edi
	jmp	leave
failed:
	movl	$1, %edi
leave:
	movl	$60, %eax
	syscall

	.bss
buf:	.skip	BUF_SIZE
