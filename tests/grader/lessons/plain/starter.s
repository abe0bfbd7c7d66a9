	.globl	_start
	.text
_start:
	nop			# TODO: write(1, "hi\n", 3), then exit(0)
	.section .rodata
msg:	.ascii	"hi\n"
