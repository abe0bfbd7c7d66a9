# pipe-talk: the parent sends msg to its child through a pipe; the child
# prints what it receives. Close every end you do not use, and the ends you
# used when you are done. The parent waits for the child and exits 0.
#
# pipe(int fds[2]) = 22: fds[0] is the read end, fds[1] the write end.
# fork = 57, read = 0, write = 1, close = 3, wait4 = 61, exit = 60.
	.globl	_start
	.text
_start:
	subq	$16, %rsp		# int fds[2] at (%rsp)
	movl	$22, %eax		# pipe(fds)
	movq	%rsp, %rdi
	syscall
	movl	(%rsp), %r12d		# r12 = read end
	movl	4(%rsp), %r13d		# r13 = write end
	movl	$57, %eax		# fork()
	syscall
	testq	%rax, %rax
	jz	child
	# TODO (parent): close the read end; write msg to the write end; close it;
	#                wait for the child
	jmp	leave
child:
	# TODO (child): close the write end; read into buf and write to stdout
	#               until read returns 0; close the read end
leave:
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall

	.data
msg:	.ascii	"a message through the pipe\n"
	.set	msg_len, . - msg
	.bss
buf:	.skip	64
