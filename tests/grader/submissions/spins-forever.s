# Never ends: the instruction limit stops it.
	.globl	_start
	.text
_start:
	jmp	_start
