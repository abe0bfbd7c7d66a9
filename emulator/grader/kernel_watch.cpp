#include "kernel_watch.hpp"

#include <array>

#include <fmt/format.h>

#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

// The kernel image's 1 GiB (Linux's __START_KERNEL_map); the carrier page lies below it.
constexpr uint64_t kKernelImageBegin = 0xffffffff80000000;
constexpr uint64_t kUserHalfEnd = uint64_t{1} << 47;

// The registers SYSCALL's caller may rely on: all but rax (the result), rcx and r11 (SYSCALL's).
constexpr std::array<std::pair<const char*, uint64_t RegisterFile::*>, 12> kPreserved = {{
    {"rbx", &RegisterFile::rbx}, {"rdx", &RegisterFile::rdx}, {"rsi", &RegisterFile::rsi},
    {"rdi", &RegisterFile::rdi}, {"rbp", &RegisterFile::rbp}, {"r8", &RegisterFile::r8},
    {"r9", &RegisterFile::r9},   {"r10", &RegisterFile::r10}, {"r12", &RegisterFile::r12},
    {"r13", &RegisterFile::r13}, {"r14", &RegisterFile::r14}, {"r15", &RegisterFile::r15},
}};

void note(std::optional<std::string>& slot, std::string evidence) {
    if (!slot) slot = std::move(evidence);
}

}  // namespace

KernelWatch::KernelWatch(Session& session, KernelObservation& into) : session_(session), o_(into) {
    o_.watched = true;
    if (auto* entry = find_symbol(session_.machine().kernel_image(), "entry_SYSCALL_64")) o_.entry_syscall_64 = entry->value;
    load_table();
    session_.events().subscribe(this, kTransitions | kSyscalls | kFaults);
}

KernelWatch::~KernelWatch() { session_.events().unsubscribe(this); }

Hook KernelWatch::hook_kernel_code(Cpu& cpu, KernelWatch** watch) {
    auto forward = [](uc_engine*, uint64_t address, uint32_t size, void* user) {
        if (auto* w = *static_cast<KernelWatch**>(user)) w->instruction(address, size);
    };
    return cpu.hook_code(forward, watch, kKernelImageBegin, ~uint64_t{0});
}

std::string KernelWatch::place(uint64_t address) const {
    const ElfSymbol* best = nullptr;
    for (const ElfSymbol& s : session_.machine().kernel_image().symbols)
        if (s.value <= address && (!best || s.value > best->value)) best = &s;
    if (!best || address - best->value > 0x1000) return fmt::format("{:#x}", address);
    return fmt::format("{:#x} <{}+{}>", address, best->name, address - best->value);
}

const KernelWatch::Site& KernelWatch::site(uint64_t address, uint32_t size) {
    if (auto it = sites_.find(address); it != sites_.end()) return it->second;
    std::array<uint8_t, 16> code{};
    size = std::min<uint32_t>(size, code.size());
    Site s;
    if (session_.machine().cpu().read_memory(address, code.data(), size))
        if (auto f = decoder_.decode(std::span(code.data(), size), address)) {
            s.pushes = f->name.starts_with("push") || f->name == "call";
            s.indirect = (f->name == "call" || f->name == "jmp") && f->text.find('*') != std::string::npos;
        }
    return sites_[address] = s;
}

// A lesson's kernel with a sys_call_table: every indirect branch must land on one of its entries.
void KernelWatch::load_table() {
    const ElfImage& image = session_.machine().kernel_image();
    const ElfSymbol *begin = find_symbol(image, "sys_call_table"), *end = find_symbol(image, "sys_call_table_end");
    if (!begin || !end || end->value <= begin->value) return;
    std::vector<uint64_t> entries((end->value - begin->value) / 8);
    if (!session_.machine().cpu().read_memory(begin->value, entries.data(), entries.size() * 8)) return;
    table_entries_.insert(entries.begin(), entries.end());
    o_.has_table = true;
}

void KernelWatch::instruction(uint64_t address, uint32_t size) {
    if (!user_started_) return;  // boot is not a system call
    const Cpu& cpu = session_.machine().cpu();
    const auto [rflags, rsp, cs] = cpu.regs<3>({Reg::rflags, Reg::rsp, Reg::cs});
    if (cs & 3) return;
    if (auto from = std::exchange(indirect_from_, std::nullopt); from && !table_entries_.contains(address))
        note(o_.left_table, fmt::format("the indirect branch at {} went to {}, not an entry of sys_call_table",
                                        place(*from), place(address)));
    const Site& s = site(address, size);
    if (s.indirect && o_.has_table) indirect_from_ = address;
    if (rflags & x86::kFlagIf)
        note(o_.if_set, fmt::format("IF was 1 at {} in ring 0 (RFLAGS {:#x})", place(address), rflags));
    if (rsp < kUserHalfEnd && s.pushes)
        note(o_.user_stack_write,
             fmt::format("ring 0 pushed onto the user stack at {:#x}, at {}", rsp - 8, place(address)));
}

void KernelWatch::on_event(const Event& e) {
    if (auto* t = std::get_if<TransitionEvent>(&e)) {
        if (t->kind == TransitionKind::syscall) {
            entry_ = Entry{t->before, session_.machine().cpu().reg(Reg::gs_base)};
        } else if (t->kind == TransitionKind::interrupt) {
            entry_.reset();  // int $0x80 or a ring-3 fault: not a SYSCALL round trip
        } else if (t->before.cpl == 0 && t->after.cpl == 3) {
            entered_ring3(*t);
        } else if (t->before.cpl == 0 && entry_) {  // returned, but not to ring 3
            note(o_.not_ring3, fmt::format("{} at {} returned to CS {:#x} (CPL {}), not USER_CS {:#x}",
                                           t->kind == TransitionKind::sysret ? "SYSRET" : "IRET", place(t->before.rip),
                                           t->after.cs, t->after.cpl, x86::kUserCs));
            entry_.reset();
        }
    } else if (auto* call = std::get_if<SyscallEntryEvent>(&e)) {
        if (entry_ && (call->name == "rt_sigreturn" || call->name == "execve" || call->name == "execveat"))
            entry_->rewritten = true;
    } else if (std::holds_alternative<SignalDeliveryEvent>(e)) {
        if (entry_) entry_->rewritten = true;
    } else if (auto* f = std::get_if<FaultEvent>(&e); f && f->cpl == 0) {
        ring0_fault(*f);
    }
}

void KernelWatch::entered_ring3(const TransitionEvent& t) {
    if (!user_started_) {  // boot's IRET into the program: syscall_init has run
        user_started_ = true;
        o_.msrs = session_.kernel().transitions().msrs();
        return;
    }
    if (!entry_) return;
    compare(*entry_, t.after);
    if (!entry_->rewritten && t.kind == TransitionKind::iret)
        note(o_.iret_needlessly, fmt::format("the syscall at {:#x} came back by IRET at {}, though SYSRET restores "
                                             "exactly what pt_regs holds", entry_->user.rip, place(t.before.rip)));
    entry_.reset();
}

void KernelWatch::compare(const Entry& e, const RegisterFile& back) {
    ++o_.round_trips;
    const uint64_t syscall_at = e.user.rip;
    if (back.cs != x86::kUserCs || back.ss != x86::kUserDs)
        note(o_.not_ring3, fmt::format("after the syscall at {:#x}, ring 3 runs with CS {:#x} and SS {:#x}, not {:#x} "
                                       "and {:#x}", syscall_at, back.cs, back.ss, x86::kUserCs, x86::kUserDs));
    uint64_t gs = session_.machine().cpu().reg(Reg::gs_base);
    if (gs != e.gs_base)
        note(o_.gs_not_swapped, fmt::format("after the syscall at {:#x}, GS.base is {:#x} (the kernel's per-CPU area "
                                            "is {:#x}), not the user's {:#x}",
                                            syscall_at, gs, session_.machine().percpu(), e.gs_base));
    if (e.rewritten) return;
    for (auto [name, field] : kPreserved)
        if (e.user.*field != back.*field)
            note(o_.clobbered, fmt::format("{} was {:#x} at the syscall at {:#x} and {:#x} after it returned", name,
                                           e.user.*field, syscall_at, back.*field));
    if (back.rsp != e.user.rsp)
        note(o_.rsp_changed, fmt::format("rsp was {:#x} at the syscall at {:#x} and {:#x} after it returned",
                                         e.user.rsp, syscall_at, back.rsp));
    if ((back.rflags & x86::kSysretFlagsKeep) != (e.user.rflags & x86::kSysretFlagsKeep))
        note(o_.rflags_changed, fmt::format("RFLAGS was {:#x} at the syscall at {:#x} (saved in r11) and {:#x} after "
                                            "it returned", e.user.rflags, syscall_at, back.rflags));
}

void KernelWatch::ring0_fault(const FaultEvent& f) {
    if (o_.ring0_fault) return;
    o_.ring0_fault = f;
    const Cpu& cpu = session_.machine().cpu();
    std::array<uint8_t, 3> code{};
    o_.fault_at_sysret = cpu.read_memory(f.rip, code.data(), code.size()) && code == std::array<uint8_t, 3>{0x48, 0x0f, 0x07};
    o_.rcx_at_fault = cpu.reg(Reg::rcx);
    if (auto from = std::exchange(indirect_from_, std::nullopt); from && *from == f.rip)
        note(o_.left_table, fmt::format("the indirect branch at {} read its target past sys_call_table (fault at "
                                        "address {:#x})", place(f.rip), f.cr2));
    else if (from)
        note(o_.left_table, fmt::format("the indirect branch at {} went to {:#x} and faulted", place(*from), f.rip));
}

}  // namespace sysentry::grading
