# fork-wait: fork a child. The child exits with status 7. The parent waits for
# it with wait4 and exits with the child's exit status.
#
# fork = 57: returns twice, 0 in the child and the child's pid in the parent.
# wait4(pid, &status, options, rusage) = 61: the 4th argument goes in r10.
# The status word holds the exit code in bits 8-15.
	.globl	_start
	.text
_start:
	movl	$57, %eax		# fork()
	syscall
	# TODO: child (rax == 0): exit(7)
	# TODO: parent: wait4(child, &status, 0, NULL), then exit((status >> 8) & 0xff)
	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall
