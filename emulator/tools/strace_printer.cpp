#include "sysentry/strace_printer.hpp"

#include <fmt/format.h>

#include "sysentry/exceptions.hpp"

namespace sysentry {

void StracePrinter::on_event(const Event& e) {
    if (auto* s = std::get_if<SyscallEntryEvent>(&e)) return entry(*s);
    if (auto* s = std::get_if<SyscallExitEvent>(&e)) return exit(*s);
    if (auto* f = std::get_if<FaultEvent>(&e)) return fault(*f);
    if (auto* x = std::get_if<ProcessExitEvent>(&e)) {
        line(x->signal ? strace_killed_notice(x->signal, false) : strace_exit_notice(x->exit_code));
    }
}

static std::string display_name(std::string_view name, SyscallAbi abi, int64_t nr) {
    if (!name.empty()) return std::string(name);
    // strace's name for a number its table lacks.
    return fmt::format("syscall_{:#x}", abi == SyscallAbi::x32 ? uint64_t(nr) | kX32SyscallBit : uint64_t(nr));
}

void StracePrinter::entry(const SyscallEntryEvent& e) {
    calls_[e.pid].on_entry(display_name(e.name, e.abi, e.nr), e.args, *e.memory);
}

void StracePrinter::exit(const SyscallExitEvent& e) {
    SyscallFormatter& f = calls_[e.pid];
    line(e.returns ? f.on_exit(e.ret, *e.memory) : f.unfinished_no_return());
}

// strace: --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---
void StracePrinter::fault(const FaultEvent& e) {
    if (!e.signal) return;
    std::string sig = strace_signal_name(e.signal);
    std::string addr = e.signal_address ? fmt::format("{:#x}", e.signal_address) : "NULL";
    line(fmt::format("--- {} {{si_signo={}, si_code={}, si_addr={}}} ---", sig, sig,
                     si_code_name(e.signal, e.signal_code), addr));
}

void StracePrinter::line(const std::string& text) {
    std::fputs(text.c_str(), out_);
    std::fputc('\n', out_);
    std::fflush(out_);
}

}  // namespace sysentry
