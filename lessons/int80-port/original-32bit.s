# The program to port, as it was written for 32-bit Linux (as --32, ld -m elf_i386).
# It builds its message on the stack, writes it, and exits with write's result.
# Read it; port starter.s, not this file.
	.globl	_start
	.text
_start:
	subl	$16, %esp		# room for the message on the stack
	movl	$0x6c6c6548, (%esp)	# "Hell"
	movl	$0x7473206f, 4(%esp)	# "o st"
	movl	$0x216b6361, 8(%esp)	# "ack!"
	movb	$'\n', 12(%esp)
	movl	$4, %eax		# __NR_write in the i386 table
	movl	$1, %ebx		# fd
	movl	%esp, %ecx		# buf: the stack
	movl	$13, %edx		# count
	int	$0x80
	movl	%eax, %ebx		# status = what write returned
	movl	$1, %eax		# __NR_exit in the i386 table
	int	$0x80
