#include "sysentry/instruction_trace.hpp"

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include <bit>
#include <cstring>
#include <fmt/format.h>

#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/session.hpp"

namespace sysentry {

namespace {

struct Tracked {
    const char* name;
    int uc;
};

// The registers a line can name, in the order they are printed.
constexpr std::array<Tracked, InstructionTrace::kTracked> kTrackedRegs = {{
    {"rax", UC_X86_REG_RAX}, {"rbx", UC_X86_REG_RBX}, {"rcx", UC_X86_REG_RCX}, {"rdx", UC_X86_REG_RDX},
    {"rsi", UC_X86_REG_RSI}, {"rdi", UC_X86_REG_RDI}, {"rbp", UC_X86_REG_RBP}, {"rsp", UC_X86_REG_RSP},
    {"r8", UC_X86_REG_R8}, {"r9", UC_X86_REG_R9}, {"r10", UC_X86_REG_R10}, {"r11", UC_X86_REG_R11},
    {"r12", UC_X86_REG_R12}, {"r13", UC_X86_REG_R13}, {"r14", UC_X86_REG_R14}, {"r15", UC_X86_REG_R15},
    {"rflags", UC_X86_REG_EFLAGS}, {"cs", UC_X86_REG_CS}, {"ss", UC_X86_REG_SS}, {"ds", UC_X86_REG_DS},
    {"es", UC_X86_REG_ES}, {"fs", UC_X86_REG_FS}, {"gs", UC_X86_REG_GS}, {"cr0", UC_X86_REG_CR0},
    {"cr2", UC_X86_REG_CR2}, {"cr3", UC_X86_REG_CR3}, {"cr4", UC_X86_REG_CR4},
    {"fs_base", UC_X86_REG_FS_BASE}, {"gs_base", UC_X86_REG_GS_BASE},
}};
constexpr unsigned kRflags = 16, kCs = 17, kSs = 18, kGsBase = 28;
constexpr uint32_t bit(unsigned i) { return 1u << i; }

// A Capstone register, any width, as the index of the 64-bit register it is part of.
std::optional<unsigned> tracked_index(unsigned reg) {
    switch (reg) {
    case X86_REG_AL: case X86_REG_AH: case X86_REG_AX: case X86_REG_EAX: case X86_REG_RAX: return 0;
    case X86_REG_BL: case X86_REG_BH: case X86_REG_BX: case X86_REG_EBX: case X86_REG_RBX: return 1;
    case X86_REG_CL: case X86_REG_CH: case X86_REG_CX: case X86_REG_ECX: case X86_REG_RCX: return 2;
    case X86_REG_DL: case X86_REG_DH: case X86_REG_DX: case X86_REG_EDX: case X86_REG_RDX: return 3;
    case X86_REG_SIL: case X86_REG_SI: case X86_REG_ESI: case X86_REG_RSI: return 4;
    case X86_REG_DIL: case X86_REG_DI: case X86_REG_EDI: case X86_REG_RDI: return 5;
    case X86_REG_BPL: case X86_REG_BP: case X86_REG_EBP: case X86_REG_RBP: return 6;
    case X86_REG_SPL: case X86_REG_SP: case X86_REG_ESP: case X86_REG_RSP: return 7;
    case X86_REG_EFLAGS: return kRflags;
    case X86_REG_CS: return kCs;
    case X86_REG_SS: return kSs;
    case X86_REG_DS: return 19;
    case X86_REG_ES: return 20;
    case X86_REG_FS: return 21;
    case X86_REG_GS: return 22;
    case X86_REG_CR0: return 23;
    case X86_REG_CR2: return 24;
    case X86_REG_CR3: return 25;
    case X86_REG_CR4: return 26;
    default: break;
    }
    // r8..r15 and their b/w/d forms
    static constexpr unsigned kR[8][4] = {
        {X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B},     {X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B},
        {X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B}, {X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B},
        {X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B}, {X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B},
        {X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B}, {X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B},
    };
    for (unsigned i = 0; i < 8; ++i)
        for (unsigned form : kR[i])
            if (form == reg) return 8 + i;
    return std::nullopt;
}

// What the transition changed, from the model's two register files.
std::string transition_changes(const TransitionEvent& t) {
    const uint64_t* b = &t.before.rax;  // rax..r15, then rip, rflags
    const uint64_t* a = &t.after.rax;
    std::string out;
    for (unsigned i = 0; i < 16; ++i)
        if (a[i] != b[i]) out += fmt::format(" {}={:#x}", kTrackedRegs[i].name, a[i]);
    if (t.after.rflags != t.before.rflags) out += fmt::format(" rflags={:#x}", t.after.rflags);
    if (t.after.cs != t.before.cs) out += fmt::format(" cs={:#x}", t.after.cs);
    if (t.after.ss != t.before.ss) out += fmt::format(" ss={:#x}", t.after.ss);
    static constexpr const char* kNames[] = {"SYSCALL", "SYSRET", "IRET", "INTERRUPT"};
    return out + fmt::format("  ; {} ring {} -> {}", kNames[int(t.kind)], t.before.cpl, t.after.cpl);
}

// Does `t` belong to the instruction at `address`? SYSCALL, SYSRET and IRET
// report the RIP of the instruction itself; `int n` the RIP after it.
bool belongs_to(const TransitionEvent& t, uint64_t address, uint8_t size) {
    if (t.kind == TransitionKind::interrupt) return t.before.rip == address + size;
    return t.before.rip == address;
}

}  // namespace

InstructionTrace::InstructionTrace(FILE* out, Session& session) : out_(out), session_(session) {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) throw std::runtime_error("cs_open failed");
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);  // for the registers each instruction writes
    capstone_ = h;
    buffer_.reserve(1 << 20);
    buffer_ += "#     count ring address           symbol                       instruction                          changed\n";
}

InstructionTrace::~InstructionTrace() {
    flush();
    csh h = capstone_;
    cs_close(&h);
}

void InstructionTrace::on_event(const Event& e) {
    if (auto* t = std::get_if<TransitionEvent>(&e)) return transition(*t);
    const auto* insn = std::get_if<InstructionEvent>(&e);
    if (!insn) return;
    if (pending_ && pending_->address == insn->address && pending_->count == insn->count) return;  // see transition()
    const Decoded& d = decode(insn->address, insn->size, *insn->cpu);
    // One read: what the previous instruction wrote (now), and what this one will write (before).
    uint32_t mask = d.writes | bit(kCs) | (pending_ ? pending_->decoded->writes : 0);
    read(*insn->cpu, mask, now_);
    if (pending_) emit(*pending_, now_);
    Pending& p = pending_.emplace();
    p.decoded = &d;
    p.address = insn->address;
    p.count = insn->count;
    p.ring = unsigned(now_[kCs] & 3);
    p.before = now_;
}

// The registers a transition reports, over the tracked ones read from the CPU.
static void overlay(const RegisterFile& r, std::array<uint64_t, InstructionTrace::kTracked>& into) {
    const uint64_t* gprs = &r.rax;  // rax..r15: the tracked order
    std::copy(gprs, gprs + 16, into.begin());
    into[kRflags] = r.rflags;
    into[kCs] = r.cs;
    into[kSs] = r.ss;
}

// SYSCALL and `int n` are reported after they ran: the pending instruction is
// theirs. SYSRET and IRET are reported before they run, with the registers of
// that moment, and the engine never shows a sysretq to the probe (its model
// moved RIP): the instruction before is finished from the reported registers,
// and the returning instruction becomes the pending one.
void InstructionTrace::transition(const TransitionEvent& t) {
    transition_ = t;
    bool reported_before = t.kind == TransitionKind::sysret || t.kind == TransitionKind::iret;
    if (!reported_before || (pending_ && pending_->address == t.before.rip)) return;
    const Cpu& cpu = session_.machine().cpu();
    uint64_t count = pending_ ? pending_->count + 1 : session_.events().instruction_count() + 1;
    if (pending_) {
        read(cpu, pending_->decoded->writes, now_);
        overlay(t.before, now_);
        emit(*pending_, now_);
    }
    const Decoded& d = decode(t.before.rip, 0, cpu);
    Pending& p = pending_.emplace();
    p.decoded = &d;
    p.address = t.before.rip;
    p.count = count;
    p.ring = t.before.cpl;
    read(cpu, d.writes, p.before);
    overlay(t.before, p.before);
}

void InstructionTrace::finish() {
    if (pending_) {
        read(session_.machine().cpu(), pending_->decoded->writes, now_);
        emit(*pending_, now_);
        pending_.reset();
    }
    flush();
}

void InstructionTrace::read(const Cpu& cpu, uint32_t mask, std::array<uint64_t, kTracked>& into) const {
    int ids[kTracked];
    void* ptrs[kTracked];
    int n = 0;
    for (uint32_t m = mask; m; m &= m - 1) {
        unsigned i = unsigned(std::countr_zero(m));
        into[i] = 0;  // segment selectors are 16 bits: the engine writes only those
        ids[n] = kTrackedRegs[i].uc;
        ptrs[n++] = &into[i];
    }
    uc_reg_read_batch(cpu.engine(), ids, ptrs, n);
}

void InstructionTrace::emit(const Pending& p, const std::array<uint64_t, kTracked>& now) {
    std::string changes;
    if (transition_ && belongs_to(*transition_, p.address, p.decoded->size)) {
        changes = transition_changes(*transition_);
        transition_.reset();
    } else {
        for (uint32_t m = p.decoded->writes; m; m &= m - 1) {
            unsigned i = unsigned(std::countr_zero(m));
            if (now[i] != p.before[i]) fmt::format_to(std::back_inserter(changes), " {}={:#x}", kTrackedRegs[i].name, now[i]);
        }
    }
    const std::string& text = changes.empty() ? p.decoded->text_trimmed : p.decoded->text;
    fmt::format_to(std::back_inserter(buffer_), "{:>11} {}    {:016x}  {}{}\n", p.count, p.ring, p.address, text, changes);
    if (buffer_.size() >= (1 << 20)) flush();
}

void InstructionTrace::flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    buffer_.clear();
    std::fflush(out_);
}

// The decoded instruction at `address`, decoded again if the bytes there
// changed (self-modifying code, another program after execve or in another
// process). `size` 0: not known yet.
const InstructionTrace::Decoded& InstructionTrace::decode(uint64_t address, uint32_t size, const Cpu& cpu) {
    Decoded& d = cache_[address];
    if (size == 0) size = d.size ? d.size : 15;
    std::array<uint8_t, 16> bytes{};
    size = std::min<uint32_t>(size, 15);
    cpu.read_memory(address, bytes.data(), size);
    const Process* current = session_.kernel().current();
    const void* image = address >= kKernelHalfStart || !current || !current->image ? nullptr : current->image.get();
    if (d.size == size && d.bytes == bytes && d.image == image) return d;
    d = Decoded{{}, 0, image, 0, {}, {}};
    std::string disasm = "(bad)";
    cs_insn* insn = nullptr;
    if (cs_disasm(capstone_, bytes.data(), size, address, 1, &insn) == 1) {
        disasm = insn->op_str[0] ? fmt::format("{} {}", insn->mnemonic, insn->op_str) : insn->mnemonic;
        size = insn->size;
        cs_regs read_regs, write_regs;
        uint8_t nread = 0, nwrite = 0;
        if (cs_regs_access(capstone_, insn, read_regs, &nread, write_regs, &nwrite) == CS_ERR_OK)
            for (unsigned k = 0; k < nwrite; ++k)
                if (auto i = tracked_index(write_regs[k])) d.writes |= bit(*i);
        if (insn->id == X86_INS_SWAPGS) d.writes |= bit(kGsBase);
        cs_free(insn, 1);
    }
    d.size = uint8_t(size);
    std::copy_n(bytes.begin(), size, d.bytes.begin());
    std::string symbol = symbol_at(address, image ? current : nullptr);
    d.text = fmt::format("{:<28} {:<36}", symbol, disasm);
    d.text_trimmed = fmt::format("{:<28} {}", symbol, disasm);
    return d;
}

// "<name+0x12>" from the kernel's symbols or the running program's.
std::string InstructionTrace::symbol_at(uint64_t address, const Process* current) {
    const ElfImage* elf = &session_.machine().kernel_image();
    if (current) {
        auto it = programs_.find(current->image.get());
        if (it == programs_.end()) {
            auto parsed = parse_elf(*current->image);
            it = programs_.emplace(current->image.get(), Program{current->image, parsed ? std::move(*parsed) : ElfImage{}}).first;
        }
        elf = &it->second.elf;
    }
    const ElfSymbol* sym = symbol_containing(*elf, address);
    if (!sym) return "";
    if (address == sym->value) return fmt::format("<{}>", sym->name);
    return fmt::format("<{}+{:#x}>", sym->name, address - sym->value);
}

}  // namespace sysentry
