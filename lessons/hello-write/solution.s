# hello-write, reference solution: write(1, msg, 15), then exit(0).
	.globl	_start
	.text
_start:
	movl	$1, %eax		# __NR_write on x86-64
	movl	$1, %edi		# fd 1: standard output
	leaq	msg(%rip), %rsi		# the buffer
	movl	$msg_len, %edx		# its length in bytes, computed by the assembler
	syscall
	movl	$60, %eax		# __NR_exit
	xorl	%edi, %edi		# status 0
	syscall				# never returns: nothing runs past this

	.section .rodata
msg:	.ascii	"Hello, kernel!\n"
	.set	msg_len, . - msg
