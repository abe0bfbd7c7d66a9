#include "sysentry/msr_view.hpp"

namespace sysentry {

using namespace x86;

SyscallMsrs read_syscall_msrs(const Cpu& cpu, bool sce) {
    SyscallMsrs m{};
    m.star = cpu.msr(kMsrStar);
    m.lstar = cpu.msr(kMsrLstar);
    m.cstar = cpu.msr(kMsrCstar);
    m.syscall_mask = cpu.msr(kMsrSyscallMask);
    m.efer = (cpu.msr(kMsrEfer) & ~kEferSce) | (sce ? kEferSce : 0);
    m.sysenter_cs = cpu.msr(kMsrSysenterCs);
    m.sysenter_esp = cpu.msr(kMsrSysenterEsp);
    m.sysenter_eip = cpu.msr(kMsrSysenterEip);
    m.fs_base = cpu.msr(kMsrFsBase);
    m.gs_base = cpu.msr(kMsrGsBase);
    m.kernel_gs_base = cpu.msr(kMsrKernelGsBase);
    return m;
}

std::vector<std::string> rflags_names(uint64_t flags) {
    static constexpr struct { uint64_t bit; const char* name; } kBits[] = {
        {kFlagCf, "CF"}, {kFlagPf, "PF"}, {kFlagAf, "AF"}, {kFlagZf, "ZF"}, {kFlagSf, "SF"},
        {kFlagTf, "TF"}, {kFlagIf, "IF"}, {kFlagDf, "DF"}, {kFlagOf, "OF"}, {kFlagIopl, "IOPL"},
        {kFlagNt, "NT"}, {kFlagRf, "RF"}, {kFlagVm, "VM"}, {kFlagAc, "AC"}, {kFlagVif, "VIF"},
        {kFlagVip, "VIP"}, {kFlagId, "ID"},
    };
    std::vector<std::string> out;
    for (auto& b : kBits)
        if (flags & b.bit) out.emplace_back(b.name);
    return out;
}

}  // namespace sysentry
