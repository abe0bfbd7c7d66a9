# hello-write: a wrong submission, which the checks must reject.
# The mistake: rdx counted by hand, one short.
	.globl	_start
	.text
_start:
	movl	$1, %eax		# __NR_write on x86-64
	movl	$1, %edi		# fd 1: standard output
	leaq	msg(%rip), %rsi		# the buffer
	movl	$14, %edx		# counted by hand
	syscall
	movl	$60, %eax		# __NR_exit
	xorl	%edi, %edi		# status 0
	syscall				# never returns: nothing runs past this

	.section .rodata
msg:	.ascii	"Hello, kernel!\n"
	.set	msg_len, . - msg
