/* The carrier: how sysentry reaches a real CPL change on Unicorn 2.0.1, which
 * performs none of SYSCALL's effects (see docs/carrier.md). The model applies
 * SYSCALL's register effects itself, then sends ring 3 through a DPL-3 call
 * gate to CPL 0; for SYSRET it uses an IRET frame. Traces never show these. */
#include "sysentry/kernel_abi.h"

	.section .carrier, "ax"		# the one user-executable page in the high half
	.globl	sysentry_carrier_call
sysentry_carrier_call:
	lcall	*sysentry_carrier_farptr(%rip)	# far call through the carrier gate: CPL 3 -> 0
sysentry_carrier_farptr:
	.long	0				# offset: ignored for a call gate
	.word	0x83				# the carrier gate's selector (GDT entry 16, RPL 3)

	.text
	.globl	sysentry_carrier_landing
sysentry_carrier_landing:
	ud2					# never runs: the model completes the entry here
	.globl	sysentry_carrier_iret
sysentry_carrier_iret:
	iretq					# completes a modelled SYSRET from the per-CPU carrier frame
