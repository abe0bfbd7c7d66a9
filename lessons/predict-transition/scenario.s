# predict-transition: the program whose first SYSCALL you predict.
# Built with `as` and `ld`, so _start is at 0x401000.
	.globl	_start
	.text
_start:
	pushq	$0x40441		# AC | DF | ZF | CF
	popfq				# RFLAGS <- that, with IF and bit 1 kept (ring 3 cannot change IF)
	movl	$39, %eax		# getpid: no arguments
	movq	$0x1111, %rcx		# about to be overwritten
	movq	$0x2222, %r11		# about to be overwritten
	syscall				# <- predict the state right after this
	cld				# back to the ABI's DF = 0
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall
