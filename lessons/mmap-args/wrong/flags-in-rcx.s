# mmap-args: a wrong submission, which the checks must reject.
# The mistake: the 4th argument in rcx, as for a C call.
	.globl	_start
	.text
_start:
	movl	$9, %eax		# __NR_mmap
	xorl	%edi, %edi		# addr = NULL: the kernel chooses
	movl	$4096, %esi		# length: one page
	movl	$3, %edx		# prot = PROT_READ | PROT_WRITE
	movl	$0x22, %ecx		# flags: as if syscall were a C call
	movq	$-1, %r8		# fd = -1: no file behind the mapping
	xorl	%r9d, %r9d		# offset = 0
	syscall
	cmpq	$-4095, %rax		# -4095..-1 is -errno
	jae	failed
	movq	%rax, %rbx		# keep the page in a register syscall leaves alone

	movq	%rbx, %rdi		# copy msg into the page
	leaq	msg(%rip), %rsi
	movl	$msg_len, %ecx
	rep movsb

	movl	$1, %eax		# write(1, page, msg_len)
	movl	$1, %edi
	movq	%rbx, %rsi
	movl	$msg_len, %edx
	syscall

	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall
failed:
	movl	$60, %eax		# exit(1): mmap failed
	movl	$1, %edi
	syscall

	.section .rodata
msg:	.ascii	"written from a fresh page\n"
	.set	msg_len, . - msg
