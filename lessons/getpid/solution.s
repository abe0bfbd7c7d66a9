# getpid, reference solution: exit with the low byte of our process id.
	.globl	_start
	.text
_start:
	movl	$39, %eax		# __NR_getpid: no arguments
	syscall				# rax = our pid; rcx and r11 are overwritten
	movl	%eax, %edi		# exit's first argument
	andl	$0xff, %edi		# only the low byte survives as an exit status
	movl	$60, %eax		# __NR_exit
	syscall
