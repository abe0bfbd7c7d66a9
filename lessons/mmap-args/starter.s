# mmap-args: map one page of anonymous memory with mmap, copy msg into it,
# write it to standard output from the page, then exit(0).
#
#   void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
#   arguments 1..6 go in: rdi, rsi, rdx, r10, r8, r9   (r10, not rcx!)
#   PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20
	.globl	_start
	.text
_start:
	movl	$9, %eax		# __NR_mmap
	# TODO: addr = NULL (let the kernel choose)
	# TODO: length = 4096
	# TODO: prot = PROT_READ | PROT_WRITE
	# TODO: flags = MAP_PRIVATE | MAP_ANONYMOUS
	# TODO: fd = -1, offset = 0
	syscall
	# TODO: the page's address is in rax: keep it in a register syscall
	#       does not overwrite (not rcx, not r11)
	# TODO: copy msg_len bytes from msg to the page
	# TODO: write(1, page, msg_len)

	movl	$60, %eax		# exit(0)
	xorl	%edi, %edi
	syscall

	.section .rodata
msg:	.ascii	"written from a fresh page\n"
	.set	msg_len, . - msg
