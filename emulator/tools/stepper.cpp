#include "sysentry/stepper.hpp"

#include <capstone/capstone.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <fmt/format.h>
#include <sstream>

#include "sysentry/disassembler.hpp"
#include "sysentry/exceptions.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/machine_report.hpp"
#include "sysentry/descriptors.hpp"
#include "sysentry/process.hpp"
#include "sysentry/pt_regs.hpp"
#include "sysentry/transition_card.hpp"
#include "sysentry/transition_model.hpp"

namespace sysentry {

constexpr std::string_view kHelp =
    "Execution:  stepi|si [N]  nexti|ni [N]  continue|c  finish  reverse-stepi|rsi [N]  reverse-continue|rc\n"
    "Stops:      break|b ADDR|SYMBOL  tbreak ADDR|SYMBOL  catch syscall [NAME|NR]  delete [N...]\n"
    "            info breakpoints\n"
    "Machine:    info registers [REG...]  x/FMT ADDR  disassemble [ADDR]\n"
    "            info ring  info msr  info gdt  info tss  info pt_regs  info syscall  info proc syscall\n"
    "Other:      help  quit\n"
    "ADDR: 0x401000, 4198400, a symbol (entry_SYSCALL_64+12), $rip or another register.\n";

Stepper::Stepper(ExecutionController& controller, const ElfImage& program, StepperOptions options)
    : c_(controller), program_(program), options_(options) {
    c_.events().subscribe(this, kEverything);
    last_ = c_.session().kernel().transitions().registers();
    // A static-pie program is loaded at a bias: where its entry point landed.
    if (program_.position_independent) bias_ = last_->rip - program_.entry;
}

Stepper::~Stepper() { c_.events().unsubscribe(this); }

// Reverse execution replaces the session, and with it the kernel image the
// names come from: the symbolizer (two references) is rebuilt for each use.
Symbolizer& Stepper::symbols() {
    symbols_.reset();
    symbols_.emplace(program_, bias_, c_.session().machine().kernel_image());
    return *symbols_;
}

// "write" for 1; nullopt for a hole or a number out of range.
static std::optional<std::string> syscall_name(SyscallAbi abi, int64_t nr) {
    if (nr < 0 || nr > max_syscall_nr(abi)) return std::nullopt;
    const SyscallEntry* e = find_syscall(abi, int(nr));
    return e ? std::optional<std::string>(std::string(e->name)) : std::nullopt;
}

static std::vector<std::string> split(std::string_view line) {
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string Stepper::execute(std::string_view line) {
    Args words = split(line);
    if (words.empty()) return {};
    std::string cmd = words.front();
    words.erase(words.begin());
    pending_.clear();
    try {
        return run_command(cmd, words);
    } catch (const std::exception& e) {
        return fmt::format("error: {}\n", e.what());
    }
}

static uint64_t count_arg(const std::vector<std::string>& args) {
    if (args.empty()) return 1;
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(args[0].data(), args[0].data() + args[0].size(), n);
    if (ec != std::errc{} || p != args[0].data() + args[0].size() || n == 0)
        throw std::invalid_argument(fmt::format("'{}' is not a positive count", args[0]));
    return n;
}

std::string Stepper::run_command(const std::string& cmd, const Args& args) {
    auto is = [&](std::initializer_list<std::string_view> names) {
        for (auto n : names)
            if (cmd == n) return true;
        return false;
    };
    const bool forward = is({"stepi", "si", "nexti", "ni", "continue", "c", "finish"});
    if (forward && !c_.alive()) return "The program is not being run.\n";
    if (is({"stepi", "si"})) {
        uint64_t n = count_arg(args);
        full_cards_ = n == 1;
        return after_stop(c_.step(n), full_cards_);
    }
    if (is({"nexti", "ni"})) {
        uint64_t n = count_arg(args);
        Stop s;
        full_cards_ = false;
        for (uint64_t i = 0; i < n; ++i) {
            s = c_.next();
            if (s.reason != StopReason::step) break;
        }
        return after_stop(s, false);
    }
    if (is({"continue", "c"})) return full_cards_ = false, after_stop(c_.resume(), false);
    if (is({"finish"})) {
        if (c_.alive() && c_.session().machine().cpu().cpl() == 3) return "finish: already in ring 3\n";
        full_cards_ = false;
        return after_stop(c_.finish(), false);
    }
    if (is({"reverse-stepi", "rsi"})) return full_cards_ = false, after_stop(c_.reverse_step(count_arg(args)), false);
    if (is({"reverse-continue", "rc"})) return full_cards_ = false, after_stop(c_.reverse_resume(), false);
    if (is({"break", "b"})) return set_breakpoint(args, false);
    if (is({"tbreak"})) return set_breakpoint(args, true);
    if (is({"delete", "d"})) return delete_points(args);
    if (is({"catch"})) return catch_syscall(args);
    if (is({"info", "i"})) return info(args);
    if (cmd == "x" || cmd.starts_with("x/")) return examine(cmd.size() > 2 ? std::string_view(cmd).substr(2) : "", args);
    if (is({"disassemble", "disas"})) {
        uint64_t at = args.empty() ? c_.session().machine().cpu().reg(Reg::rip) : value_of(args[0]).value_or(0);
        if (!args.empty() && !value_of(args[0])) return fmt::format("No symbol \"{}\".\n", args[0]);
        return listing(at, 12);
    }
    if (is({"help", "h"})) return std::string(kHelp);
    if (is({"quit", "q"})) {
        quit_ = true;
        return {};
    }
    return fmt::format("Undefined command: \"{}\".  Try \"help\".\n", cmd);
}

std::string Stepper::info(const Args& args) {
    if (args.empty()) return "info: name a subject (registers, breakpoints, ring, msr, gdt, tss, pt_regs, syscall, proc syscall)\n";
    const std::string& what = args[0];
    Args rest(args.begin() + 1, args.end());
    Machine& m = c_.session().machine();
    if (what == "registers" || what == "r" || what == "reg") return info_registers(rest);
    if (what == "breakpoints" || what == "b" || what == "break") return info_breakpoints();
    if (what == "ring") return info_ring();
    if (what == "msr") return describe_msrs(m, c_.session().kernel().transitions());
    if (what == "gdt") return describe_gdt(m);
    if (what == "tss") return describe_tss(m);
    if (what == "pt_regs") return info_pt_regs();
    if (what == "syscall") return info_syscall();
    if (what == "proc" && !rest.empty() && rest[0] == "syscall") return info_proc_syscall();
    return fmt::format("Undefined info command: \"{}\".\n", what);
}

// ---- stops ----

std::string Stepper::stop_line(const Stop& s) {
    switch (s.reason) {
    case StopReason::breakpoint: return fmt::format("Breakpoint {}, ", s.number);
    case StopReason::syscall_call:
    case StopReason::syscall_return: {
        auto name = syscall_name(SyscallAbi::x86_64, s.syscall_nr);
        return fmt::format("Catchpoint {} ({} syscall {}), ", s.number,
                           s.reason == StopReason::syscall_call ? "call to" : "returned from",
                           name ? std::string(*name) : std::to_string(s.syscall_nr));
    }
    case StopReason::user_mode: return "Back in ring 3, ";
    case StopReason::history_start: return "No more reverse-execution history: at the program's first instruction, ";
    case StopReason::limit: return "Stopped after the instruction limit, ";
    default: return {};
    }
}

std::string Stepper::after_stop(const Stop& s, bool) {
    std::string out = std::exchange(pending_, {});
    std::string output = c_.take_output();
    if (!output.empty()) out += output + (output.back() == '\n' ? "" : "\n");
    if (s.reason == StopReason::ended) {
        if (!s.result) return out + "The program is not being run.\n";
        const RunResult& r = *s.result;
        switch (r.kind) {
        case RunResult::Kind::exited: return out + fmt::format("[program exited with code {}]\n", r.exit_code);
        case RunResult::Kind::killed:
            return out + fmt::format("[program terminated with signal {}]\n", signal_name(r.signal));
        case RunResult::Kind::oops: return out + "[kernel oops]\n" + r.detail;
        default: return out + fmt::format("[program stopped: {}]\n", r.detail);
        }
    }
    return out + stop_line(s) + where();
}

std::string Stepper::where() {
    if (!c_.alive()) return "The program is not being run.\n";
    RegisterFile now = c_.session().kernel().transitions().registers();
    std::string out = fmt::format("[{}] #{}\n", now.cpl == 3 ? "user" : "kernel", c_.position());
    out += listing(now.rip, options_.show_instructions);
    out += changed_registers();
    last_ = now;
    return out;
}

std::string Stepper::highlight(std::string_view text) const {
    return options_.colour ? fmt::format("\x1b[1;33m{}\x1b[0m", text) : std::string(text);
}

std::string Stepper::changed_registers() {
    RegisterFile now = c_.session().kernel().transitions().registers();
    if (!last_) return {};
    static constexpr const char* kNames[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
                                             "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    const uint64_t* a = &last_->rax;
    const uint64_t* b = &now.rax;
    std::string list;
    auto add = [&](std::string_view name, uint64_t before, uint64_t after) {
        if (before != after) list += " " + highlight(fmt::format("{}={:#x}", name, after));
    };
    for (int i = 0; i < 16; ++i) add(kNames[i], a[i], b[i]);
    add("eflags", last_->rflags, now.rflags);
    add("cs", last_->cs, now.cs);
    add("ss", last_->ss, now.ss);
    return list.empty() ? "" : "changed:" + list + "\n";
}

// What an instruction means on this path, for the few that matter.
static std::string_view annotation(const Instruction& i, unsigned cpl) {
    if (i.id == X86_INS_SYSCALL && cpl == 3) return "  # SYSCALL: to ring 0 at LSTAR";
    if (i.id == X86_INS_OUT && cpl == 0) {
        if (i.operands.ends_with("0xe0")) return "  # dispatch: do_syscall_64(regs, nr) runs the C++ service";
        if (i.operands.ends_with("0xe1")) return "  # dispatch: do_int80_syscall_32(regs, nr) runs the C++ service";
    }
    if (i.id == X86_INS_SYSRET) return "  # SYSRET: to ring 3 at RCX";
    if (i.id == X86_INS_IRETQ && cpl == 0) return "  # IRET: to the frame on the stack";
    if (i.id == X86_INS_HLT && cpl == 0) return "  # schedule(): the model may switch tasks";
    if (i.id == X86_INS_SWAPGS) return "  # swap GS.base and KERNEL_GS_BASE";
    return {};
}

std::string Stepper::listing(uint64_t address, unsigned count) {
    static const Disassembler dis;
    Cpu& cpu = c_.session().machine().cpu();
    const uint64_t rip = cpu.reg(Reg::rip);
    std::vector<uint8_t> code(size_t(count) * 15);
    size_t readable = 0;
    while (readable < code.size() && cpu.read_memory(address + readable, &code[readable], 1)) ++readable;
    auto insns = dis.all(std::span(code.data(), readable), address, count);
    if (insns.empty()) return fmt::format("Cannot access memory at address {:#x}\n", address);
    std::string out;
    Symbolizer& sym = symbols();
    for (const Instruction& i : insns) {
        std::string name = sym.at(i.address);
        out += fmt::format("{} {:#x}{}:\t{}{}\n", i.address == rip ? "=>" : "  ", i.address,
                           name.empty() ? "" : " " + name, i.text(), annotation(i, cpu.cpl()));
    }
    return out;
}

// ---- breakpoints and catchpoints ----

std::optional<uint64_t> Stepper::value_of(std::string_view expr) {
    if (expr.starts_with('*')) expr.remove_prefix(1);
    if (expr.empty()) return std::nullopt;
    if (expr.starts_with('$')) {
        static const std::pair<std::string_view, Reg> kRegs[] = {
            {"rax", Reg::rax}, {"rbx", Reg::rbx}, {"rcx", Reg::rcx}, {"rdx", Reg::rdx}, {"rsi", Reg::rsi},
            {"rdi", Reg::rdi}, {"rbp", Reg::rbp}, {"rsp", Reg::rsp}, {"r8", Reg::r8},   {"r9", Reg::r9},
            {"r10", Reg::r10}, {"r11", Reg::r11}, {"r12", Reg::r12}, {"r13", Reg::r13}, {"r14", Reg::r14},
            {"r15", Reg::r15}, {"rip", Reg::rip}, {"pc", Reg::rip},  {"sp", Reg::rsp},
        };
        for (auto& [n, r] : kRegs)
            if (expr.substr(1) == n) return c_.session().machine().cpu().reg(r);
        return std::nullopt;
    }
    uint64_t offset = 0;
    if (auto plus = expr.find('+'); plus != std::string_view::npos && plus > 0) {
        auto off = value_of(expr.substr(plus + 1));
        if (!off) return std::nullopt;
        offset = *off;
        expr = expr.substr(0, plus);
    }
    uint64_t v = 0;
    bool hex = expr.starts_with("0x") || expr.starts_with("0X");
    const char* first = expr.data() + (hex ? 2 : 0);
    auto [p, ec] = std::from_chars(first, expr.data() + expr.size(), v, hex ? 16 : 10);
    if (ec == std::errc{} && p == expr.data() + expr.size()) return v + offset;
    if (auto a = symbols().address_of(expr)) return *a + offset;
    return std::nullopt;
}

std::string Stepper::set_breakpoint(const Args& args, bool temporary) {
    if (args.empty()) return "break: name an address or a symbol\n";
    auto at = value_of(args[0]);
    if (!at) return fmt::format("No symbol \"{}\" in the program or the guest kernel.\n", args[0]);
    int n = c_.add_breakpoint(*at, temporary);
    std::string name = symbols().at(*at);
    return fmt::format("{} {} at {:#x}{}\n", temporary ? "Temporary breakpoint" : "Breakpoint", n, *at,
                       name.empty() ? "" : " " + name);
}

std::string Stepper::catch_syscall(const Args& args) {
    if (args.empty() || args[0] != "syscall") return "catch: only 'catch syscall [NAME|NR]' is supported\n";
    std::optional<int64_t> nr;
    if (args.size() > 1) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(args[1].data(), args[1].data() + args[1].size(), v);
        if (ec == std::errc{} && p == args[1].data() + args[1].size()) nr = v;
        else if (auto byname = syscall_number(SyscallAbi::x86_64, args[1])) nr = *byname;
        else return fmt::format("Unknown syscall name '{}'.\n", args[1]);
    }
    int n = c_.add_catch(nr);
    if (!nr) return fmt::format("Catchpoint {} (any syscall)\n", n);
    auto name = syscall_name(SyscallAbi::x86_64, *nr);
    return fmt::format("Catchpoint {} (syscall '{}' [{}])\n", n, name ? std::string(*name) : "?", *nr);
}

std::string Stepper::delete_points(const Args& args) {
    if (args.empty()) {
        std::vector<int> all;
        for (auto& [n, b] : c_.breakpoints()) all.push_back(n);
        for (auto& [n, k] : c_.catches()) all.push_back(n);
        for (int n : all) c_.remove(n);
        return {};
    }
    std::string out;
    for (const std::string& a : args) {
        int n = 0;
        auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), n);
        if (ec != std::errc{} || p != a.data() + a.size() || !c_.remove(n))
            out += fmt::format("No breakpoint number {}.\n", a);
    }
    return out;
}

std::string Stepper::info_breakpoints() {
    if (c_.breakpoints().empty() && c_.catches().empty()) return "No breakpoints or catchpoints.\n";
    std::map<int, std::string> rows;
    for (auto& [n, b] : c_.breakpoints()) {
        std::string name = symbols().at(b.address);
        rows[n] = fmt::format("{:<4}{:<11}{:<5}{:#018x} {}{}\n", n, "breakpoint", b.temporary ? "del" : "keep",
                              b.address, name, b.hits ? fmt::format("\n\tbreakpoint already hit {} time{}", b.hits, b.hits == 1 ? "" : "s") : "");
    }
    for (auto& [n, k] : c_.catches()) {
        std::string what = "syscall \"<any syscall>\"";
        if (k.nr) {
            auto name = syscall_name(SyscallAbi::x86_64, *k.nr);
            what = fmt::format("syscall \"{}\"", name ? std::string(*name) : std::to_string(*k.nr));
        }
        rows[n] = fmt::format("{:<4}{:<11}{:<5}{:<18} {}\n", n, "catchpoint", "keep", "", what);
    }
    std::string out = "Num Type       Disp Address            What\n";
    for (auto& [n, r] : rows) out += r;
    return out;
}

// ---- machine state ----

std::string Stepper::info_registers(const Args& args) {
    Cpu& cpu = c_.session().machine().cpu();
    static const std::pair<std::string_view, Reg> kAll[] = {
        {"rax", Reg::rax}, {"rbx", Reg::rbx}, {"rcx", Reg::rcx}, {"rdx", Reg::rdx}, {"rsi", Reg::rsi},
        {"rdi", Reg::rdi}, {"rbp", Reg::rbp}, {"rsp", Reg::rsp}, {"r8", Reg::r8},   {"r9", Reg::r9},
        {"r10", Reg::r10}, {"r11", Reg::r11}, {"r12", Reg::r12}, {"r13", Reg::r13}, {"r14", Reg::r14},
        {"r15", Reg::r15}, {"rip", Reg::rip}, {"eflags", Reg::rflags}, {"cs", Reg::cs}, {"ss", Reg::ss},
        {"ds", Reg::ds}, {"es", Reg::es}, {"fs", Reg::fs}, {"gs", Reg::gs}, {"fs_base", Reg::fs_base},
        {"gs_base", Reg::gs_base}, {"cr0", Reg::cr0}, {"cr2", Reg::cr2}, {"cr3", Reg::cr3}, {"cr4", Reg::cr4},
    };
    auto line = [&](std::string_view name, Reg r) {
        uint64_t v = cpu.reg(r);
        std::string natural;
        if (r == Reg::rip || r == Reg::rsp || r == Reg::rbp) {
            natural = fmt::format("{:#x}", v);
            if (std::string s = symbols().at(v); r == Reg::rip && !s.empty()) natural += " " + s;
        } else if (r == Reg::rflags) {
            natural = "[ ";
            for (auto& f : rflags_names(v)) natural += f + " ";
            natural += "]";
        } else {
            natural = fmt::format("{}", int64_t(v));
        }
        return fmt::format("{:<15}{:<19}{}\n", name, fmt::format("{:#x}", v), natural);
    };
    std::string out;
    if (args.empty()) {
        for (auto& [n, r] : kAll) out += line(n, r);
        return out;
    }
    for (std::string a : args) {
        if (a.starts_with('$')) a.erase(0, 1);
        if (a == "rflags") a = "eflags";
        auto it = std::ranges::find_if(kAll, [&](auto& e) { return e.first == a; });
        out += it == std::end(kAll) ? fmt::format("Invalid register `{}'\n", a) : line(it->first, it->second);
    }
    return out;
}

static std::string gdt_row(Machine& m, std::string_view reg, uint16_t sel) {
    if ((sel & ~3) == 0) return fmt::format("  {} = {:#06x}: the null selector\n", reg, sel);
    unsigned index = sel >> 3;
    auto mem = m.kernel_memory();
    uint64_t lo = mem.read_value<uint64_t>(m.gdt_base() + index * 8).value_or(0);
    uint64_t hi = mem.read_value<uint64_t>(m.gdt_base() + index * 8 + 8).value_or(0);
    return fmt::format("  {} = {:#06x}: GDT[{}], RPL {}; descriptor {:016x}: {}\n", reg, sel, index, sel & 3, lo,
                       decode_descriptor(lo, hi).summary());
}

std::string Stepper::info_ring() {
    Machine& m = c_.session().machine();
    RegisterFile r = c_.session().kernel().transitions().registers();
    std::string out = fmt::format("CPL {} ({}): the CPL is CS.RPL\n", r.cpl, r.cpl == 3 ? "user" : "kernel");
    out += gdt_row(m, "CS", r.cs);
    out += gdt_row(m, "SS", r.ss);
    return out;
}

namespace {
constexpr const char* kPtRegsFields[] = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
                                         "cx",  "dx",  "si",  "di",  "orig_ax", "ip", "cs", "flags", "sp", "ss"};
constexpr size_t kPtRegsWords = PTREGS_SIZE / 8;
}  // namespace

// pt_regs sits at the top of the task's kernel stack (per-CPU top_of_stack).
static uint64_t pt_regs_address(Machine& m) {
    return m.kernel_memory().read_value<uint64_t>(m.percpu() + PCPU_TOP_OF_STACK).value_or(0) - PTREGS_SIZE;
}

std::string Stepper::info_pt_regs() {
    Machine& m = c_.session().machine();
    Cpu& cpu = m.cpu();
    if (cpu.cpl() == 3) return "No pt_regs: the task is in ring 3 (pt_regs exist while it is in the kernel).\n";
    const uint64_t at = pt_regs_address(m), rsp = cpu.reg(Reg::rsp);
    uint64_t words[kPtRegsWords] = {};
    m.kernel_memory().read(at, words, sizeof words);
    const bool on_this_stack = rsp >= at - 4096 && rsp <= at + PTREGS_SIZE;
    std::string out = fmt::format("pt_regs at {:#x} (the top of the kernel stack):\n", at);
    for (size_t i = 0; i < kPtRegsWords; ++i) {
        const uint64_t field = at + i * 8;
        const bool saved = !on_this_stack || field >= rsp;
        out += fmt::format("  {:<8} {:#018x}{}\n", kPtRegsFields[i], words[i],
                           saved ? "" : "  (not on the stack now: not yet pushed, or popped)");
    }
    return out;
}

std::string Stepper::info_syscall() {
    Cpu& cpu = c_.session().machine().cpu();
    if (cpu.cpl() == 3) {
        uint8_t code[2] = {};
        if (cpu.read_memory(cpu.reg(Reg::rip), code, 2) && code[0] == 0x0f && code[1] == 0x05) {
            int64_t nr = int64_t(cpu.reg(Reg::rax));
            auto name = syscall_name(SyscallAbi::x86_64, nr);
            return fmt::format("About to call {} (rax = {}) with rdi={:#x} rsi={:#x} rdx={:#x} r10={:#x} r8={:#x} r9={:#x}\n",
                               name ? std::string(*name) : "an unknown call", nr, cpu.reg(Reg::rdi),
                               cpu.reg(Reg::rsi), cpu.reg(Reg::rdx), cpu.reg(Reg::r10), cpu.reg(Reg::r8),
                               cpu.reg(Reg::r9));
        }
        return "No system call in progress: the task is in ring 3.\n";
    }
    if (!call_) return "In the kernel; the entry stub has not dispatched a call yet.\n";
    const CurrentCall& k = *call_;
    std::string out = fmt::format("{} (x86-64 nr {}), pid {}\n", k.name.empty() ? "?" : k.name, k.nr, k.pid);
    static constexpr const char* kArgRegs[] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
    for (int i = 0; i < 6; ++i) out += fmt::format("  arg{} ({:<3}) = {:#x}\n", i, kArgRegs[i], k.args[size_t(i)]);
    out += k.result_line ? "  served: " + *k.result_line + "\n" : "  entered: " + k.entry_text + " ...\n";
    return out;
}

// What /proc/PID/syscall shows for this task while it is stopped, as Linux
// builds it (proc_pid_syscall): "-1 SP PC" in ring 3, else the call's number,
// its six arguments, and the user SP and PC from pt_regs.
std::string Stepper::info_proc_syscall() {
    Machine& m = c_.session().machine();
    Cpu& cpu = m.cpu();
    int pid = c_.session().kernel().current() ? c_.session().kernel().current()->pid : 0;
    std::string head = fmt::format("/proc/{}/syscall: ", pid);
    if (cpu.cpl() == 3) return head + fmt::format("-1 {:#x} {:#x}\n", cpu.reg(Reg::rsp), cpu.reg(Reg::rip));
    const uint64_t at = pt_regs_address(m);
    if (cpu.reg(Reg::rsp) > at) return head + "running\n";  // the stub is still building pt_regs
    PtRegs r{};
    m.kernel_memory().read(at, &r, sizeof r);
    return head + fmt::format("{} {:#x} {:#x} {:#x} {:#x} {:#x} {:#x} {:#x} {:#x}\n", int64_t(r.orig_ax), r.di, r.si,
                              r.dx, r.r10, r.r8, r.r9, r.sp, r.ip);
}

// x/FMT ADDR: count, format (x d u c s i a) and unit size (b h w g), as gdb.
std::string Stepper::examine(std::string_view format, const Args& args) {
    if (args.empty()) return "x: name an address\n";
    auto at = value_of(args[0]);
    if (!at) return fmt::format("No symbol \"{}\".\n", args[0]);
    uint64_t count = 0;
    char letter = 'x', unit = 'w';
    for (char ch : format) {
        if (ch >= '0' && ch <= '9') count = count * 10 + uint64_t(ch - '0');
        else if (std::string_view("bhwg").find(ch) != std::string_view::npos) unit = ch;
        else if (std::string_view("xducsia").find(ch) != std::string_view::npos) letter = ch;
        else return fmt::format("Invalid format letter '{}'.\n", ch);
    }
    count = std::clamp<uint64_t>(count ? count : 1, 1, 4096);
    if (letter == 'i') return listing(*at, unsigned(count));
    Cpu& cpu = c_.session().machine().cpu();
    if (letter == 's') {
        std::string out;
        for (uint64_t k = 0; k < count; ++k) {
            std::string s;
            char ch = 0;
            uint64_t a = *at;
            while (s.size() < 200 && cpu.read_memory(a, &ch, 1) && ch) s += ch, ++a;
            out += fmt::format("{:#x}:\t\"{}\"\n", *at, s);
            *at = a + 1;
        }
        return out;
    }
    if (letter == 'a') unit = 'g';
    if (letter == 'c') unit = 'b';
    const unsigned size = unit == 'b' ? 1 : unit == 'h' ? 2 : unit == 'w' ? 4 : 8;
    const unsigned per_line = size == 8 ? 2 : size == 4 ? 4 : 8;
    std::string out;
    for (uint64_t k = 0; k < count; ++k) {
        uint64_t addr = *at + k * size, v = 0;
        if (!cpu.read_memory(addr, &v, size)) return out + fmt::format("Cannot access memory at address {:#x}\n", addr);
        if (k % per_line == 0) out += (k ? "\n" : "") + fmt::format("{:#x}:", addr);
        int64_t sv = size == 1 ? int8_t(v) : size == 2 ? int16_t(v) : size == 4 ? int32_t(v) : int64_t(v);
        switch (letter) {
        case 'd': out += fmt::format("\t{}", sv); break;
        case 'u': out += fmt::format("\t{}", v); break;
        case 'c': out += fmt::format("\t{} '{}'", sv, v >= 32 && v < 127 ? char(v) : '.'); break;
        case 'a': out += fmt::format("\t{:#x} {}", v, symbols().at(v)); break;
        default: out += fmt::format("\t{:#0{}x}", v, size * 2 + 2);
        }
    }
    return out + "\n";
}

// ---- events during a command ----

void Stepper::on_event(const Event& e) {
    describe_event(e);
    // The guest's own output, where it happened: after the call that wrote it.
    std::string output = c_.take_output();
    if (!output.empty()) pending_ += output + (output.back() == '\n' ? "" : "\n");
}

void Stepper::describe_event(const Event& e) {
    Symbolizer& sym = symbols();
    if (auto* t = std::get_if<TransitionEvent>(&e)) {
        CardContext ctx{sym, c_.session().kernel().transitions().msrs(), entered_by_int80_};
        if (t->kind == TransitionKind::syscall) entered_by_int80_ = false;
        if (t->kind == TransitionKind::interrupt) entered_by_int80_ = t->vector == 0x80;
        pending_ += full_cards_ ? transition_card(*t, ctx) : transition_summary(*t, ctx);
    } else if (auto* s = std::get_if<SyscallEntryEvent>(&e)) {
        formatter_ = SyscallFormatter{};
        formatter_.on_entry(s->name, s->args, *s->memory, s->user_sp);
        std::string text = formatter_.unfinished();
        if (auto cut = text.rfind(" <unfinished ...>"); cut != std::string::npos) text.resize(cut);
        call_ = CurrentCall{s->pid, s->nr, std::string(s->name), s->args, text, std::nullopt};
    } else if (auto* x = std::get_if<SyscallExitEvent>(&e)) {
        if (!call_) return;
        call_->result_line = x->returns ? formatter_.on_exit(x->ret, *x->memory) : formatter_.unfinished_no_return();
        pending_ += fmt::format("  dispatch -> C++ service: {}\n", *call_->result_line);
    } else if (auto* f = std::get_if<FaultEvent>(&e)) {
        pending_ += fault_card(*f, sym);
    } else if (auto* d = std::get_if<SignalDeliveryEvent>(&e)) {
        pending_ += signal_card(*d, sym);
    } else if (auto* g = std::get_if<SignalEvent>(&e)) {
        pending_ += fmt::format("  [{} taken by process {}]\n", signal_name(g->signal), g->pid);
    } else if (auto* p = std::get_if<ProcessExitEvent>(&e)) {
        pending_ += p->signal ? fmt::format("  [process {} killed by {}]\n", p->pid, signal_name(p->signal))
                              : fmt::format("  [process {} exited with status {}]\n", p->pid, p->exit_code);
    } else if (auto* w = std::get_if<WarningEvent>(&e)) {
        pending_ += "  warning: " + w->text + "\n";
    }
}

}  // namespace sysentry
