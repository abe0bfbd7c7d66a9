/* The lesson's system-call table, assembled into the student's kernel: every
 * entry is x64_sys_call, which hands (regs, nr) to sysentry's C++ services.
 * Linux's table holds one function per number (arch/x86/entry/syscall_64.c);
 * here the services live in C++, so one door serves them all. */
#include "sysentry/kernel_abi.h"

	.globl	NR_syscalls
	.set	NR_syscalls, 471		# x86-64 numbers 0..470 (Linux 6.19's table)

	.section .rodata
	.balign	8
	.globl	sys_call_table, sys_call_table_end
sys_call_table:
	.rept	NR_syscalls
	.quad	x64_sys_call
	.endr
sys_call_table_end:

	.text
	.globl	x64_sys_call
x64_sys_call:					# rdi = pt_regs, rsi = nr < NR_syscalls
	outb	%al, $SYSENTRY_PORT_DO_SYSCALL_64	# the C++ service writes pt_regs->ax
	ret
