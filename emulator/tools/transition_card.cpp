#include "sysentry/transition_card.hpp"

#include <fmt/format.h>

#include "sysentry/exceptions.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

using namespace x86;

static std::string flag_list(uint64_t flags) {
    std::string s;
    for (auto& n : rflags_names(flags)) s += (s.empty() ? "" : " ") + n;
    return s.empty() ? "none" : s;
}

static std::string where(const Symbolizer& s, uint64_t address) {
    std::string name = s.at(address);
    return name.empty() ? fmt::format("{:#x}", address) : fmt::format("{:#x} {}", address, name);
}

static std::string row(std::string_view what, std::string_view change, std::string_view why = {}) {
    if (why.empty()) return fmt::format("  {:<7} {}\n", what, change);
    return fmt::format("  {:<7} {:<34} {}\n", what, change, why);
}

static std::string syscall_card(const TransitionEvent& e, const CardContext& c) {
    const RegisterFile &b = e.before, &a = e.after;
    const uint16_t star_hi = uint16_t(c.msrs.star >> kStarSyscallShift);
    const uint64_t cleared = b.rflags & ~a.rflags & ~kFlagRf;
    std::string out = "== SYSCALL: ring 3 -> ring 0 ==\n";
    out += row("CPL", fmt::format("{} -> {}", b.cpl, a.cpl), "CS.RPL of the selector SYSCALL loads");
    out += row("CS", fmt::format("{:#x} -> {:#x}", b.cs, a.cs), fmt::format("STAR[47:32] = {:#x}", star_hi));
    out += row("SS", fmt::format("{:#x} -> {:#x}", b.ss, a.ss), fmt::format("STAR[47:32] + 8 = {:#x}", star_hi + 8));
    out += row("RIP", fmt::format("{:#x} -> {}", b.rip, where(c.symbols, a.rip)), "LSTAR");
    out += row("RCX", fmt::format("<- {:#x}", a.rcx), "the return address: the instruction after SYSCALL");
    out += row("R11", fmt::format("<- {:#x}", a.r11), "RFLAGS before SYSCALL (RF cleared)");
    out += row("RFLAGS", fmt::format("{:#x} -> {:#x}", b.rflags, a.rflags),
               fmt::format("SYSCALL_MASK {:#x} cleared: {}", c.msrs.syscall_mask, flag_list(cleared)));
    out += row("RSP", fmt::format("{:#x} unchanged", a.rsp), "SYSCALL does not switch stacks; the entry stub does");
    return out;
}

// The first guard of entry_SYSCALL_64's SYSRET-or-IRET decision that failed.
static std::string why_iret(const TransitionEvent& e, const CardContext& c) {
    const RegisterFile &b = e.before, &a = e.after;  // RCX and R11 were just restored from pt_regs
    if (c.entered_by_int80) return "the call came in by int $0x80, which always returns by IRET";
    if (a.rip != b.rcx) return "pt_regs->ip != pt_regs->cx: the kernel changed where ring 3 resumes (a signal, execve, rt_sigreturn)";
    if (!is_canonical(b.rcx)) return "RCX is non-canonical: SYSRET would #GP in ring 0 on the user's stack (CVE-2012-0217)";
    if (a.cs != kUserCs || a.ss != kUserDs) return "CS or SS is not the default user selector, which SYSRET always loads";
    if (a.rflags != b.r11) return "pt_regs->flags != pt_regs->r11: the kernel changed RFLAGS";
    if (b.r11 & (kFlagRf | kFlagTf)) return "RF or TF is set: SYSRET cannot restore RF, and TF would trap first";
    return "the return path chose IRET";
}

static std::string sysret_card(const TransitionEvent& e, const CardContext& c) {
    const RegisterFile &b = e.before, &a = e.after;
    const uint16_t base = c.msrs.sysret_base();
    std::string out = "== SYSRET: ring 0 -> ring 3 ==\n";
    out += row("CPL", fmt::format("{} -> {}", b.cpl, a.cpl), "the selectors SYSRET loads have RPL 3");
    out += row("CS", fmt::format("{:#x} -> {:#x}", b.cs, a.cs), fmt::format("STAR[63:48] + 16 | 3 = {:#x} + 16 | 3", base));
    out += row("SS", fmt::format("{:#x} -> {:#x}", b.ss, a.ss), fmt::format("STAR[63:48] + 8 | 3 = {:#x} + 8 | 3", base));
    out += row("RIP", fmt::format("{:#x} -> {}", b.rip, where(c.symbols, a.rip)), "<- RCX");
    out += row("RFLAGS", fmt::format("{:#x} -> {:#x}", b.rflags, a.rflags),
               fmt::format("<- (R11 & {:#x}) | 2: {}", kSysretFlagsKeep, flag_list(a.rflags)));
    out += row("RSP", fmt::format("{:#x} unchanged", a.rsp), "the stub already moved back to the user stack");
    out += "  chosen because pt_regs let it: RCX == RIP and canonical, default CS/SS, R11 == RFLAGS, no RF/TF\n";
    return out;
}

static std::string iret_card(const TransitionEvent& e, const CardContext& c) {
    const RegisterFile &b = e.before, &a = e.after;
    std::string out = fmt::format("== IRET: ring {} -> ring {} ==\n", b.cpl, a.cpl);
    out += fmt::format("  pops RIP, CS, RFLAGS, RSP, SS from the kernel stack at {:#x}\n", b.rsp);
    out += row("CPL", fmt::format("{} -> {}", b.cpl, a.cpl), "the popped CS's RPL");
    out += row("CS", fmt::format("{:#x} -> {:#x}", b.cs, a.cs));
    out += row("SS", fmt::format("{:#x} -> {:#x}", b.ss, a.ss));
    out += row("RIP", fmt::format("{:#x} -> {}", b.rip, where(c.symbols, a.rip)));
    out += row("RFLAGS", fmt::format("{:#x} -> {:#x}", b.rflags, a.rflags), flag_list(a.rflags));
    out += row("RSP", fmt::format("{:#x} -> {:#x}", b.rsp, a.rsp));
    out += "  why not SYSRET: " + why_iret(e, c) + "\n";
    return out;
}

static std::string interrupt_card(const TransitionEvent& e, const CardContext& c) {
    const RegisterFile &b = e.before, &a = e.after;
    std::string out = fmt::format("== INT {:#x}: ring 3 -> ring 0 through the IDT ==\n", e.vector);
    out += row("CPL", fmt::format("{} -> {}", b.cpl, a.cpl), "the gate's target selector is the kernel's CS");
    out += row("CS", fmt::format("{:#x} -> {:#x}", b.cs, a.cs));
    out += row("SS", fmt::format("{:#x} -> {:#x}", b.ss, a.ss), "a 64-bit gate to ring 0 loads the null selector");
    out += row("RIP", fmt::format("{:#x} -> {}", b.rip, where(c.symbols, a.rip)), "the IDT gate's offset");
    out += row("RSP", fmt::format("{:#x} -> {:#x}", b.rsp, a.rsp), "TSS.RSP0, minus the frame: SS, RSP, RFLAGS, CS, RIP");
    out += row("RFLAGS", fmt::format("{:#x} -> {:#x}", b.rflags, a.rflags),
               fmt::format("an interrupt gate cleared: {}", flag_list(b.rflags & ~a.rflags)));
    return out;
}

std::string transition_card(const TransitionEvent& e, const CardContext& c) {
    switch (e.kind) {
    case TransitionKind::syscall: return syscall_card(e, c);
    case TransitionKind::sysret: return sysret_card(e, c);
    case TransitionKind::iret: return iret_card(e, c);
    case TransitionKind::interrupt: return interrupt_card(e, c);
    }
    return {};
}

std::string transition_summary(const TransitionEvent& e, const CardContext& c) {
    static constexpr const char* kNames[] = {"SYSCALL", "SYSRET", "IRET", "INT"};
    return fmt::format("[{}: ring {} -> ring {}, RIP -> {}]\n", kNames[int(e.kind)], e.before.cpl, e.after.cpl,
                       where(c.symbols, e.after.rip));
}

std::string fault_card(const FaultEvent& f, const Symbolizer& symbols) {
    ExceptionInfo info = exception_info(f.vector);
    std::string out = fmt::format("== FAULT: {} ({}) in ring {} at {} ==\n", info.mnemonic, info.name, f.cpl,
                                  where(symbols, f.rip));
    if (f.vector == 14) out += fmt::format("  CR2 = {:#x}: the address that faulted\n", f.cr2);
    if (f.cpl == 0) return out + "  a fault in ring 0 is a kernel oops: the machine stops\n";
    out += fmt::format("  the kernel's trap handler sends {} ({}, si_addr {:#x})\n", signal_name(f.signal),
                       si_code_name(f.signal, f.signal_code), f.signal_address);
    return out;
}

std::string signal_card(const SignalDeliveryEvent& e, const Symbolizer& symbols) {
    std::string out = fmt::format("== SIGNAL {}: the kernel enters its handler in ring 3 ==\n", signal_name(e.signal));
    out += fmt::format("  rt_sigframe built on the user stack at {:#x}: the restorer's address, then\n"
                       "  siginfo and the ucontext that holds the interrupted registers\n", e.frame);
    out += row("RIP", fmt::format("-> {}", where(symbols, e.handler)), "the handler from sigaction");
    out += row("RDI", fmt::format("<- {}", e.signal), "the signal; RSI = &siginfo, RDX = &ucontext");
    out += fmt::format("  the handler returns into the restorer, whose rt_sigreturn resumes at {}\n",
                       where(symbols, e.interrupted_rip));
    return out;
}

}  // namespace sysentry
