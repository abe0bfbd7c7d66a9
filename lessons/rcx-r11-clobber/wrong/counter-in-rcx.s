# rcx-r11-clobber, a wrong submission the checks must reject: the loop counter
# is kept in rcx, which every syscall overwrites with the return address.
	.globl	_start
	.text
_start:
	movl	$1, %ecx		# the line number, in the wrong register
next:
	leal	'0'(%rcx), %eax
	movb	%al, digit(%rip)
	movl	$1, %eax
	movl	$1, %edi
	leaq	line(%rip), %rsi
	movl	$line_len, %edx
	syscall				# rcx is now the address of the incl below
	incl	%ecx
	cmpl	$3, %ecx
	jbe	next
	movl	$60, %eax
	xorl	%edi, %edi
	syscall

	.data
line:	.ascii	"line "
digit:	.ascii	"?\n"
	.set	line_len, . - line
