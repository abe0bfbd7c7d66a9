# files-copy: copy the file named by argv[1] to the file named by argv[2]
# (created, or truncated if it exists, with mode 0644), then close both
# descriptors and exit(0). Exit with 1 if any call fails.
#
# open(path, flags, mode) = rax 2; read = 0; write = 1; close = 3.
# At _start: argv[1] is at 16(%rsp), argv[2] at 24(%rsp).
	.globl	_start
	.set	O_WRONLY, 01
	.set	O_CREAT, 0100
	.set	O_TRUNC, 01000
	.set	BUF_SIZE, 4096
	.text
_start:
	# TODO: open argv[1] for reading; keep the fd in a register syscall preserves
	# TODO: open argv[2] with O_WRONLY|O_CREAT|O_TRUNC, mode 0644
	# TODO: loop: read up to BUF_SIZE bytes; stop at 0; write what was read
	# TODO: close both files
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall

	.bss
buf:	.skip	BUF_SIZE
