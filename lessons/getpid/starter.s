# getpid: ask the kernel for this process's id, then exit with pid & 0xff.
#
# getpid takes no arguments; its result comes back in rax.
	.globl	_start
	.text
_start:
	# TODO: call getpid (its number is in `sysentry table getpid`)
	# TODO: move the low byte of the result into rdi
	xorl	%edi, %edi		# placeholder: exits with 0 for now
	movl	$60, %eax		# __NR_exit
	syscall
