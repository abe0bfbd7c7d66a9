# rcx-r11-clobber, reference solution: print "line 1".."line 3" with a loop
# around write. The counter lives in rbx, which syscall leaves alone.
	.globl	_start
	.text
_start:
	movl	$1, %ebx		# the line number: not rcx, not r11
next:
	leal	'0'(%rbx), %eax		# the digit for this line
	movb	%al, digit(%rip)
	movl	$1, %eax		# write(1, line, line_len)
	movl	$1, %edi
	leaq	line(%rip), %rsi
	movl	$line_len, %edx
	syscall				# rcx <- return address, r11 <- rflags
	incl	%ebx
	cmpl	$3, %ebx
	jbe	next
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall

	.data
line:	.ascii	"line "
digit:	.ascii	"?\n"
	.set	line_len, . - line
