# read-echo: copy standard input to standard output until end of file, then
# exit(0). Like `cat` with no arguments.
#
# read(fd, buf, count) = rax 0 returns how many bytes it put in buf: at most
# count, possibly fewer (a pipe, a terminal line), and 0 at end of file.
	.globl	_start
	.set	BUF_SIZE, 4096
	.text
_start:
	xorl	%eax, %eax		# read(0, buf, BUF_SIZE)
	xorl	%edi, %edi
	leaq	buf(%rip), %rsi
	movl	$BUF_SIZE, %edx
	syscall
	# TODO: write exactly the bytes that read returned (not BUF_SIZE)
	# TODO: repeat until read returns 0 (end of file); a negative rax is an error
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall

	.bss
buf:	.skip	BUF_SIZE
