#include "sysentry/strace_printer.hpp"

#include <fmt/format.h>

#include "sysentry/exceptions.hpp"

namespace sysentry {

// strace -f's bookkeeping: which processes are traced (lines get "[pid N] " once
// there are several), and which call is in progress in each.
void StracePrinter::on_event(const Event& e) {
    if (auto* s = std::get_if<SyscallEntryEvent>(&e)) return entry(*s);
    if (auto* s = std::get_if<SyscallExitEvent>(&e)) return exit(*s);
    if (auto* f = std::get_if<FaultEvent>(&e)) return fault(*f);
    if (auto* g = std::get_if<SignalEvent>(&e)) return signal(*g);
    if (auto* x = std::get_if<ProcessExitEvent>(&e)) {
        line(x->pid, x->signal ? strace_killed_notice(x->signal, false) : strace_exit_notice(x->exit_code));
        live_.erase(x->pid);
        calls_.erase(x->pid);
    }
}

static std::string display_name(std::string_view name, SyscallAbi abi, int64_t nr) {
    if (!name.empty()) return std::string(name);
    // strace's name for a number its table lacks.
    return fmt::format("syscall_{:#x}", abi == SyscallAbi::x32 ? uint64_t(nr) | kX32SyscallBit : uint64_t(nr));
}

void StracePrinter::entry(const SyscallEntryEvent& e) {
    live_.insert(e.pid);
    Call& c = calls_[e.pid];
    std::string name = display_name(e.name, e.abi, e.nr);
    c.shown = only_.empty() || only_.contains(name);
    c.formatter.on_entry(name, e.args, *e.memory, e.user_sp);
    c.in_progress = c.shown;
    c.shown_unfinished = false;
}

void StracePrinter::exit(const SyscallExitEvent& e) {
    Call& c = calls_[e.pid];
    bool forks = e.name == "fork" || e.name == "vfork" || e.name == "clone" || e.name == "clone3";
    if (!c.shown) {
        if (forks && e.ret > 0) live_.insert(int(e.ret));
        return;
    }
    c.formatter.set_prefix(prefix(e.pid));
    std::string text;
    if (c.shown_unfinished) text = e.returns ? c.formatter.resumed(e.ret, *e.memory) : c.formatter.resumed_no_return();
    else text = e.returns ? c.formatter.on_exit(e.ret, *e.memory) : c.formatter.unfinished_no_return();
    c.in_progress = false;
    line(e.pid, text);
    if (forks && e.ret > 0) live_.insert(int(e.ret));  // a child is traced from the moment it exists
}

// strace: --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1000, si_uid=0} ---, printed
// when the receiver takes the signal (its signal-delivery-stop).
void StracePrinter::signal(const SignalEvent& e) {
    StraceSiginfo si{e.signal, e.code, e.from_pid};
    si.status = e.status;
    si.value = e.value;
    line(e.pid, fmt::format("--- {} {} ---", strace_signal_name(e.signal), strace_siginfo(si)));
}

// strace: --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---
void StracePrinter::fault(const FaultEvent& e) {
    if (!e.signal) return;
    std::string sig = strace_signal_name(e.signal);
    std::string addr = e.signal_address ? fmt::format("{:#x}", e.signal_address) : "NULL";
    line(e.pid, fmt::format("--- {} {{si_signo={}, si_code={}, si_addr={}}} ---", sig, sig,
                            si_code_name(e.signal, e.signal_code), addr));
}

// Before another process's line, a call still in progress elsewhere is shown as
// strace shows it: "read(3,  <unfinished ...>", resumed later.
void StracePrinter::line(int pid, const std::string& text) {
    for (auto& [other, c] : calls_) {
        if (other == pid || !c.in_progress || c.shown_unfinished) continue;
        c.formatter.set_prefix(prefix(other));
        emit(c.formatter.unfinished());
        c.shown_unfinished = true;
    }
    std::string p = prefix(pid);
    if (auto it = calls_.find(pid); it != calls_.end()) it->second.formatter.set_prefix(p);
    emit(text.starts_with(p) ? text : p + text);
}

std::string StracePrinter::prefix(int pid) const {
    if (pid_on_every_line_) return fmt::format("{:<5} ", pid);
    return live_.size() > 1 ? strace_pid_prefix(pid) : "";
}

void StracePrinter::emit(const std::string& text) {
    std::fputs(text.c_str(), out_);
    std::fputc('\n', out_);
    std::fflush(out_);
}

}  // namespace sysentry
