/* The first ring-0 code: the host has built the page tables, GDT, IDT and TSS,
 * and the first task's pt_regs (start_thread). Registers on entry:
 *   rdi  address of this CPU's per-CPU area
 *   rsp  the init task's pt_regs, at the top of its kernel stack
 */
#include "sysentry/kernel_abi.h"

	.text
	.globl	startup_64
startup_64:
	movl	$0xc0000101, %ecx		# MSR_GS_BASE
	movq	%rdi, %rax			# the per-CPU area...
	movq	%rdi, %rdx
	shrq	$32, %rdx			# ...as edx:eax
	wrmsr					# kernel GS.base <- per-CPU area (user GS arrives by swapgs)
	call	syscall_init			# program the SYSCALL MSRs, as cpu_init does
	jmp	swapgs_restore_regs_and_return_to_usermode	# start_thread's regs -> ring 3

/* identify_cpu: CPUID leaf 1, as Linux's early boot reads it; the host runs
 * this once before booting and passes EDX to programs as AT_HWCAP. */
	.globl	identify_cpu
identify_cpu:
	movl	$1, %eax			# leaf 1: version and feature flags
	cpuid					# EDX = the features x86 Linux reports as AT_HWCAP
	hlt					# back to the host
