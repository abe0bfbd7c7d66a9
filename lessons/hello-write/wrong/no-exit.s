# hello-write: a wrong submission, which the checks must reject.
# The mistake: no exit: the CPU runs on past the code.
	.globl	_start
	.text
_start:
	movl	$1, %eax		# __NR_write on x86-64
	movl	$1, %edi		# fd 1: standard output
	leaq	msg(%rip), %rsi		# the buffer
	movl	$msg_len, %edx		# its length in bytes, computed by the assembler
	syscall

	.section .rodata
msg:	.ascii	"Hello, kernel!\n"
	.set	msg_len, . - msg
