# hello.s: the smallest program that asks the kernel for something.
# write(1, msg, len) then exit(0), each by the SYSCALL instruction.
	.globl	_start
	.text
_start:
	movl	$1, %eax		# __NR_write
	movl	$1, %edi		# fd 1: standard output
	leaq	msg(%rip), %rsi		# the bytes to write
	movl	$len, %edx		# how many
	syscall				# ring 3 -> entry_SYSCALL_64 -> ring 3; rax = bytes written
	movl	$60, %eax		# __NR_exit
	xorl	%edi, %edi		# status 0
	syscall				# does not return
	.section .rodata
msg:	.ascii	"hello\n"
	.set	len, . - msg
