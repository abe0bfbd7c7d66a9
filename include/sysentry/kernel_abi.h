/* The contract between the guest kernel stubs (the .S files in guest/kernel) and the C++
 * kernel model. Plain #defines so both the assembler and C++ can include it. */
#ifndef SYSENTRY_KERNEL_ABI_H
#define SYSENTRY_KERNEL_ABI_H

/* struct pt_regs, in Linux's order (arch/x86/include/asm/ptrace.h). */
#define PTREGS_R15 0
#define PTREGS_R14 8
#define PTREGS_R13 16
#define PTREGS_R12 24
#define PTREGS_RBP 32
#define PTREGS_RBX 40
#define PTREGS_R11 48
#define PTREGS_R10 56
#define PTREGS_R9 64
#define PTREGS_R8 72
#define PTREGS_RAX 80
#define PTREGS_RCX 88
#define PTREGS_RDX 96
#define PTREGS_RSI 104
#define PTREGS_RDI 112
#define PTREGS_ORIG_RAX 120
#define PTREGS_RIP 128
#define PTREGS_CS 136
#define PTREGS_EFLAGS 144
#define PTREGS_RSP 152
#define PTREGS_SS 160
#define PTREGS_SIZE 168

/* The per-CPU area, reached through %gs after swapgs. */
#define PCPU_USER_RSP_SCRATCH 0 /* the user RSP while the stub switches stacks */
#define PCPU_TOP_OF_STACK 8     /* top of the current task's kernel stack */
#define PCPU_NEED_RESCHED 16    /* set by the model: another task should run (TIF_NEED_RESCHED) */
#define PCPU_CARRIER_FRAME 64   /* 5 qwords: the IRET frame that carries SYSRET to ring 3 */
#define PCPU_TSS 128            /* the 64-bit TSS (104 bytes) */
#define PCPU_SIZE 4096

/* The I/O port of the model's dispatch instruction: `outb %al, $port` at CPL 0
 * hands (%rdi = regs, %rsi = nr) to the C++ kernel. Ring 3 gets #GP for it. */
#define SYSENTRY_PORT_DO_SYSCALL_64 0xe0
#define SYSENTRY_PORT_DO_INT80 0xe1

/* Segment selectors, duplicated for the assembler; x86.hpp checks they agree. */
#define __KERNEL_CS 0x10
#define __KERNEL_DS 0x18
#define __USER32_CS 0x23
#define __USER_DS 0x2b
#define __USER_CS 0x33

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define EFER_SCE 1

#define X86_EFLAGS_TF 0x100
#define X86_EFLAGS_IF 0x200
#define X86_EFLAGS_DF 0x400
#define X86_EFLAGS_IOPL 0x3000
#define X86_EFLAGS_NT 0x4000
#define X86_EFLAGS_RF 0x10000
#define X86_EFLAGS_AC 0x40000

#define ENOSYS 38

/* Where things live in the guest's high half (Linux-like addresses). */
#define KERNEL_TEXT_START 0xffffffff81000000
#define CARRIER_PAGE 0xfffffe0000000000 /* Linux's cpu_entry_area; here the one user-executable high page */

#endif
