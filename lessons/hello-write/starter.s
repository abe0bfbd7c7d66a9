# hello-write: print "Hello, kernel!" and a newline with one write system call,
# then end the program with exit(0).
#
# x86-64 Linux: the call number goes in rax, the arguments in rdi, rsi, rdx
# (then r10, r8, r9); `syscall` enters the kernel and the result comes back in
# rax. write is 1, exit is 60.
	.globl	_start
	.text
_start:
	nop				# placeholder: replace with your code
	# TODO: write(1, msg, msg_len)
	#       rax = ?, rdi = ?, rsi = the address of msg, rdx = ?
	# TODO: exit(0)
	#       without it, the CPU runs on into whatever follows the code.

	.section .rodata
msg:	.ascii	"Hello, kernel!\n"
	.set	msg_len, . - msg	# the assembler counts the bytes for you
