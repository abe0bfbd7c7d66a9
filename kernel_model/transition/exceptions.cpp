#include "sysentry/exceptions.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>

#include "sysentry/x86.hpp"

namespace sysentry {

ExceptionInfo exception_info(uint8_t vector) {
    switch (vector) {
    case x86::kDivideError: return {"#DE", "divide error", SIGFPE};
    case x86::kDebug: return {"#DB", "debug", SIGTRAP};
    case x86::kBreakpoint: return {"#BP", "breakpoint", SIGTRAP};
    case 4: return {"#OF", "overflow", SIGSEGV};
    case 5: return {"#BR", "bound range", SIGSEGV};
    case x86::kInvalidOpcode: return {"#UD", "invalid opcode", SIGILL};
    case 7: return {"#NM", "device not available", SIGSEGV};
    case 10: return {"#TS", "invalid TSS", SIGSEGV};
    case 11: return {"#NP", "segment not present", SIGBUS};
    case 12: return {"#SS", "stack segment", SIGBUS};
    case x86::kGeneralProtection: return {"#GP", "general protection", SIGSEGV};
    case x86::kPageFault: return {"#PF", "page fault", SIGSEGV};
    case 16: return {"#MF", "x87 floating point", SIGFPE};
    case 17: return {"#AC", "alignment check", SIGBUS};
    case 19: return {"#XM", "SIMD floating point", SIGFPE};
    default: return {"#??", "unknown exception", SIGSEGV};
    }
}

FaultSiginfo fault_siginfo(uint8_t vector, uint64_t rip, uint64_t cr2, bool page_present) {
    switch (vector) {
    case x86::kPageFault: return {page_present ? SEGV_ACCERR : SEGV_MAPERR, cr2};
    case x86::kInvalidOpcode: return {ILL_ILLOPN, rip};
    case x86::kDivideError: return {FPE_INTDIV, rip};
    case x86::kDebug: return {TRAP_BRKPT, rip};
    default: return {SI_KERNEL, 0};  // #GP, #BP: the kernel sends them without an address
    }
}

std::string_view si_code_name(int signo, int code) {
    if (code == SI_KERNEL) return "SI_KERNEL";
    if (code == SI_USER) return "SI_USER";
    switch (signo) {
    case SIGSEGV: return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "?";
    case SIGILL: return code == ILL_ILLOPN ? "ILL_ILLOPN" : code == ILL_PRVOPC ? "ILL_PRVOPC" : "?";
    case SIGFPE: return code == FPE_INTDIV ? "FPE_INTDIV" : "?";
    case SIGTRAP: return code == TRAP_BRKPT ? "TRAP_BRKPT" : "?";
    default: return "?";
    }
}

std::string_view signal_name(int signo) {
    const char* abbrev = sigabbrev_np(signo);  // glibc 2.32+: "SEGV"
    if (!abbrev) return "SIG?";
    static thread_local char buf[16];
    std::snprintf(buf, sizeof buf, "SIG%s", abbrev);
    return buf;
}

}  // namespace sysentry
