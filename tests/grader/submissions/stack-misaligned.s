# stack-misaligned: calls the harness without realigning rsp.
	.globl	run
	.text
run:
	movl	$42, %edi
	call	note
	xorl	%eax, %eax
	ret
