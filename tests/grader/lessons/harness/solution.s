	.globl	run
	.text
run:
	subq	$8, %rsp		# rsp was 8 below a multiple of 16: realign
	movl	$42, %edi
	call	note
	addq	$8, %rsp
	xorl	%eax, %eax
	ret
