# syscall-wrapper: write my_syscall, the C library's syscall(2), in assembly.
#
#   long my_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
#
# The C calling convention passes nr, a1..a5 in rdi, rsi, rdx, rcx, r8, r9 and
# a6 on the stack, at 8(%rsp) on entry (above the return address).
# The kernel wants the number in rax and a1..a6 in rdi, rsi, rdx, r10, r8, r9.
# On an error (rax in -4095..-1) return -1 and set errno to -rax:
# `call __errno_location` returns errno's address in rax (rsp must be a
# multiple of 16 at the call).
	.globl	my_syscall
	.type	my_syscall, @function
	.text
my_syscall:
	movq	%rdi, %rax		# nr
	# TODO: move a1..a6 to the registers the kernel reads
	syscall
	# TODO: on an error, set errno and return -1
	ret
	.size	my_syscall, . - my_syscall
	.section .note.GNU-stack, "", @progbits
