// What a CPU exception taken in ring 3 becomes: the signal Linux's trap
// handlers send (arch/x86/kernel/traps.c, arch/x86/mm/fault.c).
#pragma once
#include <cstdint>
#include <string_view>

namespace sysentry {

struct ExceptionInfo {
    std::string_view mnemonic;  // "#GP"
    std::string_view name;      // "general protection"
    int signal;                 // SIGSEGV, or 0 when Linux has no signal for it
};

ExceptionInfo exception_info(uint8_t vector);

// The siginfo a fault produces: si_code and si_addr as Linux's trap handlers fill them.
struct FaultSiginfo {
    int code;
    uint64_t addr;
};
// `page_present`: for #PF, whether the faulting address was mapped (ACCERR) or not (MAPERR).
FaultSiginfo fault_siginfo(uint8_t vector, uint64_t rip, uint64_t cr2, bool page_present);
std::string_view si_code_name(int signo, int code);  // "SEGV_MAPERR", "SI_KERNEL"
std::string_view signal_name(int signo);  // "SIGSEGV"

}  // namespace sysentry
