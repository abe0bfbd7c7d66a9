// struct pt_regs as the guest entry stubs build it (Linux's order); the
// offsets are checked against kernel_abi.h, which the assembly uses.
#pragma once
#include <cstddef>
#include <cstdint>

#include "sysentry/kernel_abi.h"

namespace sysentry {

struct PtRegs {
    uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
    uint64_t orig_ax;
    uint64_t ip, cs, flags, sp, ss;  // the IRET frame
};

static_assert(offsetof(PtRegs, r15) == PTREGS_R15 && offsetof(PtRegs, bx) == PTREGS_RBX);
static_assert(offsetof(PtRegs, r10) == PTREGS_R10 && offsetof(PtRegs, ax) == PTREGS_RAX);
static_assert(offsetof(PtRegs, di) == PTREGS_RDI && offsetof(PtRegs, orig_ax) == PTREGS_ORIG_RAX);
static_assert(offsetof(PtRegs, ip) == PTREGS_RIP && offsetof(PtRegs, ss) == PTREGS_SS);
static_assert(sizeof(PtRegs) == PTREGS_SIZE);

}  // namespace sysentry
