# errno: open the file named by argv[1] for reading. Exit with status 0 if
# it opened, or with the error number (errno) if it did not.
#
# At _start, rsp points at argc; argv[0] is at 8(%rsp), argv[1] at 16(%rsp).
# open(path, flags): rdi = path, rsi = flags (O_RDONLY = 0), rax = 2.
	.globl	_start
	.text
_start:
	# TODO: rdi = argv[1]
	# TODO: open it read-only
	# TODO: on failure rax holds -errno: exit with errno
	xorl	%edi, %edi		# placeholder: always reports success
	movl	$60, %eax		# __NR_exit
	syscall
