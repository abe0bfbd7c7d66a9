// x86-64 architectural constants, named after the hardware and Linux's names
// for them, each derived the way the manuals derive it.
#pragma once
#include <cstdint>

namespace sysentry::x86 {

// ---- Segment selectors: index*8 | TI(0=GDT) | RPL (arch/x86/include/asm/segment.h) ----
constexpr uint16_t selector(unsigned index, unsigned rpl) { return uint16_t(index * 8 + rpl); }
constexpr unsigned kGdtKernel32Cs = 1, kGdtKernelCs = 2, kGdtKernelDs = 3;
constexpr unsigned kGdtUser32Cs = 4, kGdtUserDs = 5, kGdtUserCs = 6;
constexpr unsigned kGdtTss = 8;          // a 64-bit TSS descriptor takes entries 8 and 9
constexpr unsigned kGdtCarrierGate = 16; // sysentry's own call gate, past Linux's 16 entries
constexpr unsigned kGdtEntries = 18;
constexpr uint16_t kKernel32Cs = selector(kGdtKernel32Cs, 0);  // 0x08
constexpr uint16_t kKernelCs = selector(kGdtKernelCs, 0);      // 0x10
constexpr uint16_t kKernelDs = selector(kGdtKernelDs, 0);      // 0x18
constexpr uint16_t kUser32Cs = selector(kGdtUser32Cs, 3);      // 0x23
constexpr uint16_t kUserDs = selector(kGdtUserDs, 3);          // 0x2b
constexpr uint16_t kUserCs = selector(kGdtUserCs, 3);          // 0x33
constexpr uint16_t kTssSelector = selector(kGdtTss, 0);        // 0x40
constexpr uint16_t kCarrierGateSelector = selector(kGdtCarrierGate, 3);  // 0x83

// ---- MSRs (arch/x86/include/asm/msr-index.h) ----
constexpr uint32_t kMsrEfer = 0xc0000080;
constexpr uint32_t kMsrStar = 0xc0000081;
constexpr uint32_t kMsrLstar = 0xc0000082;
constexpr uint32_t kMsrCstar = 0xc0000083;
constexpr uint32_t kMsrSyscallMask = 0xc0000084;
constexpr uint32_t kMsrFsBase = 0xc0000100;
constexpr uint32_t kMsrGsBase = 0xc0000101;
constexpr uint32_t kMsrKernelGsBase = 0xc0000102;
constexpr uint32_t kMsrSysenterCs = 0x174;
constexpr uint32_t kMsrSysenterEsp = 0x175;
constexpr uint32_t kMsrSysenterEip = 0x176;

constexpr uint64_t kEferSce = 1ull << 0;   // SYSCALL enable
constexpr uint64_t kEferLme = 1ull << 8;
constexpr uint64_t kEferLma = 1ull << 10;
constexpr uint64_t kEferNxe = 1ull << 11;

// STAR: [47:32] is the SYSCALL CS (SS = +8); [63:48] is the SYSRET base
// (64-bit CS = +16, SS = +8, both with RPL 3).
constexpr unsigned kStarSyscallShift = 32, kStarSysretShift = 48;
constexpr uint64_t linux_star() {
    return (uint64_t(kUser32Cs) << kStarSysretShift) | (uint64_t(kKernelCs) << kStarSyscallShift);
}
static_assert(linux_star() == 0x0023001000000000);

// ---- RFLAGS (arch/x86/include/uapi/asm/processor-flags.h) ----
constexpr uint64_t kFlagCf = 1 << 0, kFlagFixed = 1 << 1, kFlagPf = 1 << 2, kFlagAf = 1 << 4;
constexpr uint64_t kFlagZf = 1 << 6, kFlagSf = 1 << 7, kFlagTf = 1 << 8, kFlagIf = 1 << 9;
constexpr uint64_t kFlagDf = 1 << 10, kFlagOf = 1 << 11, kFlagIopl = 3 << 12, kFlagNt = 1 << 14;
constexpr uint64_t kFlagRf = 1 << 16, kFlagVm = 1 << 17, kFlagAc = 1 << 18, kFlagVif = 1 << 19;
constexpr uint64_t kFlagVip = 1 << 20, kFlagId = 1 << 21;
// The mask the seed's syscall_init writes: TF|DF|IF|IOPL|AC|NT.
constexpr uint64_t kSeedSyscallMask = kFlagTf | kFlagDf | kFlagIf | kFlagIopl | kFlagAc | kFlagNt;
static_assert(kSeedSyscallMask == 0x47700);
// SYSRET keeps only these bits of R11 (the SDM's 3C7FD7H), then sets bit 1.
constexpr uint64_t kSysretFlagsKeep = 0x3C7FD7;

// ---- Control registers ----
constexpr uint64_t kCr0Pe = 1ull << 0, kCr0Wp = 1ull << 16, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1ull << 5, kCr4Pge = 1ull << 7, kCr4Osfxsr = 1ull << 9;
constexpr uint64_t kCr4Osxmmexcpt = 1ull << 10, kCr4Fsgsbase = 1ull << 16;

// ---- Exception vectors ----
enum Vector : uint8_t {
    kDivideError = 0, kDebug = 1, kBreakpoint = 3, kInvalidOpcode = 6,
    kGeneralProtection = 13, kPageFault = 14, kInt80 = 0x80,
};

// ---- Paging (4-level, 4 KiB pages) ----
constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPteP = 1ull << 0, kPteW = 1ull << 1, kPteU = 1ull << 2, kPtePs = 1ull << 7;
constexpr uint64_t kPteNx = 1ull << 63;
// Unicorn 2.0.1's CPU model reports no NX in CPUID and drops EFER.NXE, which
// makes bit 63 a reserved bit: page tables must not use it, so execute
// permission is not enforced by paging (PROT_EXEC is still tracked per area).
constexpr bool kEngineHasNx = false;
constexpr uint64_t kPteAddrMask = 0x000ffffffffff000ull;

// Canonical with 48-bit virtual addresses: bits 63..47 all equal.
constexpr bool is_canonical(uint64_t va) {
    return uint64_t(int64_t(va << 16) >> 16) == va;
}
// Linux's TASK_SIZE_MAX: the last user page below the hole stays unmapped, so a
// SYSCALL at its end can never leave RCX non-canonical (the SYSRET #GP, CVE-2012-0217).
constexpr uint64_t kUserAddressEnd = (1ull << 47) - kPageSize;  // 0x7ffffffff000

}  // namespace sysentry::x86
