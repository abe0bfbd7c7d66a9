# int80-port: original-32bit.s, carried over to a 64-bit file register by
# register. It assembles and runs - but prints nothing. Port it to the 64-bit
# system call ABI: the `syscall` instruction, the x86-64 call numbers and
# argument registers, and full 64-bit pointers. Keep what it does: write
# "Hello stack!\n" from the stack, then exit with write's result.
	.globl	_start
	.text
_start:
	subq	$16, %rsp		# the message on the stack, as before
	movl	$0x6c6c6548, (%rsp)	# "Hell"
	movl	$0x7473206f, 4(%rsp)	# "o st"
	movl	$0x216b6361, 8(%rsp)	# "ack!"
	movb	$'\n', 12(%rsp)
	# TODO: everything below is the 32-bit ABI; port it.
	movl	$4, %eax		# __NR_write (i386)
	movl	$1, %ebx		# fd
	movl	%esp, %ecx		# buf: only the low 32 bits of rsp!
	movl	$13, %edx		# count
	int	$0x80
	movl	%eax, %ebx		# status = what write returned
	movl	$1, %eax		# __NR_exit (i386)
	int	$0x80
