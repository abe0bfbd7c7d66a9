# Fuzzes the dispatch: system calls whose number is past the table, edge cases
# first, then 1000 drawn from argv[1] (a decimal seed) by xorshift64. Each must
# return -ENOSYS (-38). Exit status 0 and "all -ENOSYS" when they all did.
	.globl	_start
	.text
_start:
	xorl	%ebx, %ebx			# the seed
	cmpq	$2, (%rsp)			# argc
	jb	seeded
	movq	16(%rsp), %rsi			# argv[1]
digit:	movzbl	(%rsi), %eax
	subl	$'0', %eax
	cmpl	$9, %eax
	ja	seeded
	imulq	$10, %rbx
	addq	%rax, %rbx
	incq	%rsi
	jmp	digit
seeded:
	movabsq	$0x9e3779b97f4a7c15, %r12	# xorshift64 state: never zero
	xorq	%rbx, %r12
	xorl	%r14d, %r14d			# numbers that did not give -ENOSYS
	leaq	edges(%rip), %r15
	movl	$nedges, %r13d
edge:	movq	(%r15), %rax
	call	try
	addq	$8, %r15
	decl	%r13d
	jnz	edge
	movl	$1000, %r13d
fuzz:	movq	%r12, %rax			# x ^= x << 13; x ^= x >> 7; x ^= x << 17
	shlq	$13, %rax
	xorq	%rax, %r12
	movq	%r12, %rax
	shrq	$7, %rax
	xorq	%rax, %r12
	movq	%r12, %rax
	shlq	$17, %rax
	xorq	%rax, %r12
	movq	%r12, %rax
	cmpl	$1024, %eax			# the low 32 bits (Linux's nr) past the table
	jae	1f
	orq	$1024, %rax
1:	call	try
	decl	%r13d
	jnz	fuzz
	testq	%r14, %r14
	jnz	failed
	movl	$1, %eax			# write(1, ok, ok_len)
	movl	$1, %edi
	leaq	ok(%rip), %rsi
	movl	$ok_len, %edx
	syscall
	movl	$60, %eax			# exit(0)
	xorl	%edi, %edi
	syscall
failed:	movl	$60, %eax			# exit(1)
	movl	$1, %edi
	syscall

try:						# syscall number rax: count it unless -ENOSYS comes back
	syscall
	cmpq	$-38, %rax
	je	1f
	incq	%r14
1:	ret

	.section .rodata
	.balign	8
edges:	.quad	471, 472, 511, 512, 1023, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff
	.quad	0x1000001d7, 0x80000000000001d7, 0xffffffffffffffff
	nedges = (. - edges) / 8
ok:	.ascii	"all -ENOSYS\n"
	ok_len = . - ok
