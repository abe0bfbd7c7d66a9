# rcx-r11-clobber: print three numbered lines,
#     line 1
#     line 2
#     line 3
# with ONE write in a loop (patch the digit, write, count, repeat), then exit(0).
#
# syscall overwrites two registers besides rax: rcx (with the address to
# return to) and r11 (with RFLAGS). A loop counter must live elsewhere.
	.globl	_start
	.text
_start:
	# TODO: start the counter at 1 (choose its register with care)
next:
	# TODO: store the digit '0' + counter at `digit`
	movl	$1, %eax		# write(1, line, line_len)
	movl	$1, %edi
	leaq	line(%rip), %rsi
	movl	$line_len, %edx
	syscall
	# TODO: count, and go back to `next` until three lines are out
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall

	.data
line:	.ascii	"line "
digit:	.ascii	"?\n"
	.set	line_len, . - line
