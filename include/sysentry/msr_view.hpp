// The SYSCALL MSRs as the guest programmed them, read back from the CPU each
// time (the model keeps no copies), plus EFER.SCE, which the engine drops and
// the model therefore records when the guest writes EFER.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sysentry/cpu.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

struct SyscallMsrs {
    uint64_t star, lstar, cstar, syscall_mask, efer;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t fs_base, gs_base, kernel_gs_base;

    uint16_t syscall_cs() const { return uint16_t(star >> x86::kStarSyscallShift) & ~3; }
    uint16_t syscall_ss() const { return uint16_t((star >> x86::kStarSyscallShift) + 8); }
    uint16_t sysret_base() const { return uint16_t(star >> x86::kStarSysretShift); }
    uint16_t sysret_cs() const { return uint16_t(sysret_base() + 16) | 3; }
    uint16_t sysret_ss() const { return uint16_t(sysret_base() + 8) | 3; }
    bool sce() const { return efer & x86::kEferSce; }
};

// `sce` is the model's record of EFER.SCE, merged into `efer`.
SyscallMsrs read_syscall_msrs(const Cpu& cpu, bool sce);

// Names of the RFLAGS bits set in `flags`, e.g. {"TF", "IF", "IOPL"}.
std::vector<std::string> rflags_names(uint64_t flags);

}  // namespace sysentry
