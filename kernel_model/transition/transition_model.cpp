#include "sysentry/transition_model.hpp"

#include <capstone/capstone.h>

#include <cstring>

#include "sysentry/descriptors.hpp"
#include "sysentry/disassembler.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/machine.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

using namespace x86;

constexpr uint64_t kSyscallLength = 2;  // 0f 05; the engine adds it after our hook
// What an interrupt gate clears in RFLAGS on delivery (SDM 6.12.1).
constexpr uint64_t kInterruptGateClears = kFlagTf | kFlagNt | kFlagRf | kFlagVm | kFlagIf;

static TransitionModel& self(void* user) { return *static_cast<TransitionModel*>(user); }

TransitionModel::TransitionModel(Machine& machine, EventBus& events, SyscallDispatcher& dispatcher)
    : machine_(machine), cpu_(machine.cpu()), events_(events), dispatcher_(dispatcher),
      scratch_pages_(machine.cpu()) {
    carrier_call_ = machine.kernel_symbol("sysentry_carrier_call");
    carrier_landing_ = machine.kernel_symbol("sysentry_carrier_landing");
    carrier_iret_ = machine.kernel_symbol("sysentry_carrier_iret");
    // The per-CPU carrier frame, as a host pointer: written on every SYSRET.
    carrier_frame_ = reinterpret_cast<uint64_t*>(
        machine.kernel_ranges().host(machine.percpu() + PCPU_CARRIER_FRAME));
    hooks_.push_back(cpu_.hook_syscall(on_syscall, this));
    hooks_.push_back(cpu_.hook_code(on_landing, this, carrier_landing_, carrier_landing_));
    hooks_.push_back(cpu_.hook_out(on_out, this));
    hooks_.push_back(cpu_.hook_interrupt(on_interrupt, this));
    hooks_.push_back(cpu_.hook_invalid(on_invalid, this));
    hooks_.push_back(cpu_.hook_unmapped(on_unmapped, this));
    scratch_pages_.attach();
    scan_kernel_text();
}

// sysretq and wrmsr sites get their own one-instruction hooks, so the model
// acts before they execute and costs nothing anywhere else.
void TransitionModel::scan_kernel_text() {
    Disassembler dis;
    auto mem = machine_.kernel_memory();
    for (const ElfSegment& seg : machine_.kernel_image().loads) {
        if (!seg.executable || seg.vaddr == kCarrierPage) continue;
        std::vector<uint8_t> text(seg.filesz);
        if (!mem.read(seg.vaddr, text.data(), text.size())) continue;
        for (const Instruction& i : dis.all(text, seg.vaddr)) {
            if (i.id == X86_INS_SYSRET)
                hooks_.push_back(cpu_.hook_code(on_sysret_site, this, i.address, i.address));
            else if (i.id == X86_INS_WRMSR)
                hooks_.push_back(cpu_.hook_code(on_wrmsr_site, this, i.address, i.address));
            else if (i.id == X86_INS_IRETQ && i.address != carrier_iret_)
                hooks_.push_back(cpu_.hook_code(on_iret_site, this, i.address, i.address));
        }
    }
}

RegisterFile TransitionModel::registers() const {
    static constexpr int kIds[] = {
        UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI,
        UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8,  UC_X86_REG_R9,
        UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
        UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_EFLAGS, UC_X86_REG_CS, UC_X86_REG_SS,
    };
    constexpr int kCount = sizeof kIds / sizeof kIds[0];
    uint64_t values[kCount] = {};
    void* ptrs[kCount];
    for (int i = 0; i < kCount; ++i) ptrs[i] = &values[i];
    uc_reg_read_batch(cpu_.engine(), const_cast<int*>(kIds), ptrs, kCount);
    RegisterFile r{};
    uint64_t* gprs = &r.rax;  // rax..r15, rip, rflags are laid out in kIds order
    for (int i = 0; i < 18; ++i) gprs[i] = values[i];
    r.cs = uint16_t(values[18]);
    r.ss = uint16_t(values[19]);
    r.cpl = r.cs & 3;
    return r;
}

void TransitionModel::publish_transition(TransitionKind kind, const RegisterFile& before, uint8_t vector) {
    events_.publish(TransitionEvent{kind, before, registers(), vector});
}

void TransitionModel::raise(Fault f) {
    fault_ = std::move(f);
    cpu_.stop();
}

// ---- SYSCALL (SDM vol. 2B, "SYSCALL") ----
void TransitionModel::on_syscall(uc_engine*, void* user) { self(user).syscall_instruction(); }

void TransitionModel::syscall_instruction() {
    const auto [rip, rsp, rflags] = cpu_.regs<3>({Reg::rip, Reg::rsp, Reg::rflags});
    if (!sce_) {  // IF (CS.L ≠ 1) or (IA32_EFER.SCE ≠ 1) THEN #UD
        // The engine will still step past the instruction; the fault reports where it was.
        return raise({kInvalidOpcode, rip, 0, cpu_.cpl(), "SYSCALL with EFER.SCE clear"});
    }
    PendingEntry entry{PendingEntry::Kind::syscall, rsp, 0, 0, 0, 0, {}};
    if (events_.wants(kTransitions)) entry.before = registers();
    const uint64_t mask = cpu_.msr(kMsrSyscallMask);
    pending_ = entry;
    cpu_.set_regs<4>({Reg::rcx, Reg::r11, Reg::rflags, Reg::rip},
                     {rip + kSyscallLength,             // RCX <- RIP of the next instruction
                      rflags & ~kFlagRf,                // R11 <- RFLAGS with RF cleared
                      rflags & ~(mask | kFlagRf),       // RFLAGS &= ~(SYSCALL_MASK | RF)
                      carrier_call_ - kSyscallLength}); // through the carrier; the engine adds 2
}

void TransitionModel::on_landing(uc_engine*, uint64_t, uint32_t, void* user) { self(user).land(); }

void TransitionModel::land() {
    if (!pending_) {
        // Not a modelled entry. Either ring 3 jumped into the carrier page, which in
        // Linux is supervisor-only (#PF), or it called the gate itself, which Linux
        // does not have (#GP). The gate frame's return address tells which.
        auto mem = machine_.kernel_memory();
        uint64_t ret = mem.read_value<uint64_t>(cpu_.reg(Reg::rsp)).value_or(0);
        if ((ret & ~(kPageSize - 1)) == kCarrierPage)
            return raise({kPageFault, carrier_call_, carrier_call_, 3, "ring 3 ran into the kernel half"});
        return raise({kGeneralProtection, instruction_before(ret, X86_INS_LCALL), 0, 3,
                      "far call through a call gate"});
    }
    PendingEntry e = *std::exchange(pending_, std::nullopt);
    if (e.kind == PendingEntry::Kind::syscall) {
        SyscallMsrs m{};
        m.star = cpu_.msr(kMsrStar);
        cpu_.set_regs<4>({Reg::cs, Reg::ss, Reg::rsp, Reg::rip},
                         {m.syscall_cs(),             // CS <- STAR[47:32] & ~3
                          m.syscall_ss(),             // SS <- STAR[47:32] + 8
                          e.user_rsp,                 // SYSCALL leaves RSP alone
                          cpu_.msr(kMsrLstar)});      // RIP <- LSTAR
        if (events_.wants(kTransitions)) publish_transition(TransitionKind::syscall, e.before);
        return;
    }
    // An interrupt from ring 3: an IRET frame on the TSS.RSP0 stack, SS null.
    uint64_t rsp0 = machine_.kernel_memory()
                        .read_value<uint64_t>(machine_.tss_base() + offsetof(Tss64, rsp))
                        .value_or(0);
    uint64_t frame[5] = {e.return_rip, kUserCs, e.user_rflags, e.user_rsp, kUserDs};
    uint64_t top = rsp0 - sizeof frame;
    machine_.kernel_memory().write(top, frame, sizeof frame);
    cpu_.set_reg(Reg::rsp, top);
    cpu_.set_reg(Reg::rip, e.handler);
    if (events_.wants(kTransitions)) publish_transition(TransitionKind::interrupt, e.before, e.vector);
}

// ---- SYSRET (SDM vol. 2B, "SYSRET") ----
void TransitionModel::on_sysret_site(uc_engine*, uint64_t, uint32_t, void* user) {
    self(user).sysret_instruction(true);
}

void TransitionModel::sysret_instruction(bool from_hook) {
    const auto [rip, cs, rcx, r11, rsp] = cpu_.regs<5>({Reg::rip, Reg::cs, Reg::rcx, Reg::r11, Reg::rsp});
    const unsigned cpl = cs & 3;
    if (!sce_) return raise({kInvalidOpcode, rip, 0, cpl, "SYSRET with EFER.SCE clear"});
    if (cpl != 0) return raise({kGeneralProtection, rip, 0, cpl, "SYSRET outside ring 0"});
    if (!is_canonical(rcx)) {
        // Intel takes this #GP in ring 0, on the user's RSP: CVE-2012-0217.
        return raise({kGeneralProtection, rip, 0, 0,
                      "SYSRET with non-canonical RCX; on Intel this #GP is taken in ring 0 on the "
                      "user's RSP (CVE-2012-0217), which is why entry_SYSCALL_64 checks RCX first"});
    }
    RegisterFile before{};
    if (events_.wants(kTransitions)) before = registers();
    SyscallMsrs m{};
    m.star = cpu_.msr(kMsrStar);
    uint64_t frame[5] = {
        rcx,                                    // RIP <- RCX
        m.sysret_cs(),                          // CS <- STAR[63:48] + 16 | 3
        (r11 & kSysretFlagsKeep) | kFlagFixed,  // RFLAGS <- (R11 & 3C7FD7H) | 2
        rsp,                                    // RSP unchanged
        m.sysret_ss(),                          // SS <- STAR[63:48] + 8 | 3
    };
    uint64_t at = machine_.percpu() + PCPU_CARRIER_FRAME;
    std::memcpy(carrier_frame_, frame, sizeof frame);
    if (from_hook) cpu_.set_regs<2>({Reg::rsp, Reg::rip}, {at, carrier_iret_});
    else cpu_.set_reg(Reg::rsp, at), resume_ = carrier_iret_;
    if (events_.wants(kTransitions)) {
        RegisterFile after = before;
        after.rip = frame[0];
        after.cs = uint16_t(frame[1]);
        after.rflags = frame[2];
        after.ss = uint16_t(frame[4]);
        after.cpl = 3;
        events_.publish(TransitionEvent{TransitionKind::sysret, before, after, 0});
    }
}

bool TransitionModel::is_sysretq_at(uint64_t rip) const {
    uint8_t b[3] = {};
    cpu_.read_memory(rip, b, sizeof b);
    return b[0] == 0x48 && b[1] == 0x0f && b[2] == 0x07;
}

// #UD from the engine: a sysretq we did not pre-scan, the landing's ud2 run
// because the engine skipped its hook (a stop from another thread caught in
// uc_emu_start, docs/carrier.md item 16), or a real invalid opcode.
bool TransitionModel::on_invalid(uc_engine*, void* user) {
    TransitionModel& m = self(user);
    uint64_t rip = m.cpu_.reg(Reg::rip);
    if (m.is_sysretq_at(rip)) {
        m.sysret_instruction(false);
    } else if (rip == m.carrier_landing_ && m.pending_) {
        m.land();  // the entry completes as the hook would have; the run loop resumes there
        m.resume_ = m.cpu_.reg(Reg::rip);
    } else {
        m.fault_ = Fault{kInvalidOpcode, rip, 0, m.cpu_.cpl(), ""};
    }
    return false;  // the engine stops either way; the run loop resumes or reports
}

// ---- wrmsr: the engine drops EFER.SCE, so the model records it ----
void TransitionModel::on_wrmsr_site(uc_engine*, uint64_t, uint32_t, void* user) {
    TransitionModel& m = self(user);
    if (m.cpu_.cpl() == 0 && uint32_t(m.cpu_.reg(Reg::rcx)) == kMsrEfer)
        m.sce_ = m.cpu_.reg(Reg::rax) & kEferSce;
}

// The start of the instruction of kind `x86_insn` that ends at `next_rip`, or
// `next_rip` when none does (instructions cannot be decoded backwards, so
// each plausible length is tried).
uint64_t TransitionModel::instruction_before(uint64_t next_rip, unsigned x86_insn) const {
    static const Disassembler dis;
    uint8_t code[15];
    for (unsigned len = 1; len <= sizeof code; ++len) {
        if (!cpu_.read_memory(next_rip - len, code, len)) continue;
        auto insn = dis.one(std::span(code, len), next_rip - len);
        if (insn && insn->size == len && insn->id == x86_insn) return next_rip - len;
    }
    return next_rip;
}

static bool is_port_io(unsigned id) {
    switch (id) {
    case X86_INS_IN: case X86_INS_OUT: case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD: return true;
    default: return false;
    }
}

// The address of a port-I/O instruction at `rip`, or (`or_before`) ending there.
std::optional<uint64_t> TransitionModel::port_io_near(uint64_t rip, bool or_before) const {
    static const Disassembler dis;
    uint8_t code[15] = {};
    if (cpu_.read_memory(rip, code, sizeof code)) {
        if (auto insn = dis.one(code, rip); insn && is_port_io(insn->id)) return rip;
    }
    if (!or_before) return std::nullopt;
    for (unsigned id : {X86_INS_IN, X86_INS_OUT}) {
        if (uint64_t at = instruction_before(rip, id); at != rip) return at;
    }
    return std::nullopt;
}

// The engine looks for memory behind an address before it walks the page
// tables, and reports "unmapped" without a usable RIP. Give it a scratch page
// there, with no page-table entry, and let it retry: its own walk then raises
// the architectural fault (#PF, or #GP for a non-canonical address) with the
// exact RIP and CR2. The scratch pages go when the engine next stops.
bool TransitionModel::on_unmapped(uc_engine*, uc_mem_type, uint64_t address, int, int64_t, void* user) {
    TransitionModel& m = self(user);
    uint64_t page = address & ~(kPageSize - 1);
    if (m.scratch_pages_.contains(page) || !m.scratch_pages_.map(page, kPageSize)) return false;
    return true;
}

// ---- iretq in the guest kernel: the engine performs it; the model reports it ----
void TransitionModel::on_iret_site(uc_engine*, uint64_t, uint32_t, void* user) {
    TransitionModel& m = self(user);
    if (!m.events_.wants(kTransitions) || m.cpu_.cpl() != 0) return;
    RegisterFile before = m.registers(), after = before;
    uint64_t frame[5] = {};  // rip, cs, rflags, rsp, ss
    m.machine_.kernel_memory().read(before.rsp, frame, sizeof frame);
    after.rip = frame[0];
    after.cs = uint16_t(frame[1]);
    after.rflags = frame[2];
    after.rsp = frame[3];
    after.ss = uint16_t(frame[4]);
    after.cpl = after.cs & 3;
    m.events_.publish(TransitionEvent{TransitionKind::iret, before, after, 0});
}

// ---- the dispatch instruction ----
void TransitionModel::on_out(uc_engine*, uint32_t port, int, uint32_t, void* user) {
    TransitionModel& m = self(user);
    if (m.cpu_.cpl() != 0) {  // CPL > IOPL and no I/O bitmap: #GP, whatever the engine let through
        uint64_t next = m.cpu_.reg(Reg::rip);
        return m.raise({kGeneralProtection, m.instruction_before(next, X86_INS_OUT), 0, m.cpu_.cpl(),
                        "port I/O in ring 3"});
    }
    if (port == SYSENTRY_PORT_DO_SYSCALL_64)
        m.dispatcher_.do_syscall_64(m.cpu_.reg(Reg::rdi), int64_t(m.cpu_.reg(Reg::rsi)));
    else if (port == SYSENTRY_PORT_DO_INT80)
        m.dispatcher_.do_int80_syscall_32(m.cpu_.reg(Reg::rdi), uint32_t(m.cpu_.reg(Reg::rsi)));
}

// ---- exceptions and `int n` ----
void TransitionModel::on_interrupt(uc_engine*, uint32_t intno, void* user) {
    TransitionModel& m = self(user);
    uint64_t rip = m.cpu_.reg(Reg::rip);
    unsigned cpl = m.cpu_.cpl();
    if (intno >= 32 && cpl == 3) return m.software_interrupt(uint8_t(intno));
    m.cpu_.forget_exception();  // the model delivers it: the engine must not stack it into a #DF
    uint64_t cr2 = intno == kPageFault ? m.cpu_.reg(Reg::cr2) : 0;
    // Demand paging: the engine retries the faulting instruction when we return.
    if (intno == kPageFault && cpl == 3 && m.dispatcher_.user_page_fault(cr2)) return;
    // The engine's I/O-permission check misfires (a #PF at a low address, RIP at
    // or after the instruction); by the architecture, port I/O at CPL > IOPL with
    // no I/O bitmap is #GP at that instruction. Below mmap_min_addr nothing is
    // ever mapped, so no real page fault there is mistaken for it.
    constexpr uint64_t kMmapMinAddr = 0x10000;
    if (cpl == 3 && (intno == kGeneralProtection || (intno == kPageFault && cr2 < kMmapMinAddr))) {
        if (auto at = m.port_io_near(rip, intno == kPageFault))
            return m.raise({kGeneralProtection, *at, 0, 3, "port I/O in ring 3"});
    }
    // `int n` (cd n) reports the next RIP; the fault belongs to the instruction itself.
    uint8_t b[2] = {};
    if (m.cpu_.read_memory(rip - 2, b, 2) && b[0] == 0xcd && b[1] == intno) rip -= 2;
    m.raise({uint8_t(intno), rip, cr2, cpl, ""});
}

// `int n` from ring 3 goes where the IDT says, if its gate lets ring 3 in.
void TransitionModel::software_interrupt(uint8_t vector) {
    const uint64_t next_rip = cpu_.reg(Reg::rip);
    uint64_t gate[2] = {};
    machine_.kernel_memory().read(machine_.idt_base() + vector * 16, gate, sizeof gate);
    DecodedDescriptor d = decode_descriptor(gate[0], gate[1]);
    if (!d.present || d.dpl < 3) {  // the SDM's #GP(vector*8+2): Linux sends SIGSEGV
        return raise({kGeneralProtection, next_rip - 2, 0, 3, "int to a gate ring 3 may not use"});
    }
    PendingEntry e{PendingEntry::Kind::interrupt, cpu_.reg(Reg::rsp), next_rip, 0, d.base, vector, {}};
    if (events_.wants(kTransitions)) e.before = registers();
    e.user_rflags = cpu_.reg(Reg::rflags);
    cpu_.set_reg(Reg::rflags, e.user_rflags & ~kInterruptGateClears);
    // The engine overwrites RIP after an `int n` hook (unicorn#1027): stop, and
    // let the run loop resume at the carrier.
    pending_ = e;
    resume_ = carrier_call_;
    cpu_.stop();
}

}  // namespace sysentry
