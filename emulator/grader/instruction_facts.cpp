#include "instruction_facts.hpp"

#include <array>
#include <stdexcept>

#include <capstone/capstone.h>

namespace sysentry::grading {

std::string_view gpr_name(Gpr r) {
    static constexpr std::array<std::string_view, 16> kNames = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                                               "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    return kNames[unsigned(r)];
}

namespace {

// Every name of a general register's parts, mapped to the whole register.
std::optional<Gpr> gpr_of(unsigned reg) {
    switch (reg) {
    case X86_REG_AL: case X86_REG_AH: case X86_REG_AX: case X86_REG_EAX: case X86_REG_RAX: return Gpr::rax;
    case X86_REG_CL: case X86_REG_CH: case X86_REG_CX: case X86_REG_ECX: case X86_REG_RCX: return Gpr::rcx;
    case X86_REG_DL: case X86_REG_DH: case X86_REG_DX: case X86_REG_EDX: case X86_REG_RDX: return Gpr::rdx;
    case X86_REG_BL: case X86_REG_BH: case X86_REG_BX: case X86_REG_EBX: case X86_REG_RBX: return Gpr::rbx;
    case X86_REG_SPL: case X86_REG_SP: case X86_REG_ESP: case X86_REG_RSP: return Gpr::rsp;
    case X86_REG_BPL: case X86_REG_BP: case X86_REG_EBP: case X86_REG_RBP: return Gpr::rbp;
    case X86_REG_SIL: case X86_REG_SI: case X86_REG_ESI: case X86_REG_RSI: return Gpr::rsi;
    case X86_REG_DIL: case X86_REG_DI: case X86_REG_EDI: case X86_REG_RDI: return Gpr::rdi;
    case X86_REG_R8B: case X86_REG_R8W: case X86_REG_R8D: case X86_REG_R8: return Gpr::r8;
    case X86_REG_R9B: case X86_REG_R9W: case X86_REG_R9D: case X86_REG_R9: return Gpr::r9;
    case X86_REG_R10B: case X86_REG_R10W: case X86_REG_R10D: case X86_REG_R10: return Gpr::r10;
    case X86_REG_R11B: case X86_REG_R11W: case X86_REG_R11D: case X86_REG_R11: return Gpr::r11;
    case X86_REG_R12B: case X86_REG_R12W: case X86_REG_R12D: case X86_REG_R12: return Gpr::r12;
    case X86_REG_R13B: case X86_REG_R13W: case X86_REG_R13D: case X86_REG_R13: return Gpr::r13;
    case X86_REG_R14B: case X86_REG_R14W: case X86_REG_R14D: case X86_REG_R14: return Gpr::r14;
    case X86_REG_R15B: case X86_REG_R15W: case X86_REG_R15D: case X86_REG_R15: return Gpr::r15;
    default: return std::nullopt;
    }
}

uint32_t gpr_bits(const uint16_t* regs, uint8_t count, bool* flags) {
    uint32_t bits = 0;
    for (uint8_t i = 0; i < count; ++i) {
        if (auto g = gpr_of(regs[i])) bits |= bit(*g);
        if (flags && regs[i] == X86_REG_EFLAGS) *flags = true;
    }
    return bits;
}

// Instructions that raise #GP at CPL 3 under Linux's settings (IOPL 0, CR4.UMIP
// off, CR4.TSD off). Capstone's PRIVILEGE group misses the port instructions.
bool privileged_at_cpl3(const cs_insn& insn) {
    switch (insn.id) {
    case X86_INS_CLI: case X86_INS_STI: case X86_INS_HLT: case X86_INS_WRMSR: case X86_INS_RDMSR:
    case X86_INS_IN: case X86_INS_OUT: case X86_INS_INSB: case X86_INS_INSW: case X86_INS_INSD:
    case X86_INS_OUTSB: case X86_INS_OUTSW: case X86_INS_OUTSD: case X86_INS_LGDT: case X86_INS_LIDT:
    case X86_INS_LLDT: case X86_INS_LTR: case X86_INS_LMSW: case X86_INS_CLTS: case X86_INS_INVLPG:
    case X86_INS_INVD: case X86_INS_WBINVD: case X86_INS_SWAPGS: case X86_INS_SYSRET: case X86_INS_SYSEXIT:
        return true;
    default: break;
    }
    for (uint8_t i = 0; i < insn.detail->groups_count; ++i)
        if (insn.detail->groups[i] == X86_GRP_PRIVILEGE) return true;
    return false;
}

// xor %ecx,%ecx and friends: they do not really read their register.
bool zero_idiom(const cs_insn& insn) {
    const cs_x86& x = insn.detail->x86;
    bool clears = insn.id == X86_INS_XOR || insn.id == X86_INS_SUB || insn.id == X86_INS_PXOR || insn.id == X86_INS_XORPS;
    return clears && x.op_count == 2 && x.operands[0].type == X86_OP_REG && x.operands[1].type == X86_OP_REG &&
           x.operands[0].reg == x.operands[1].reg;
}

bool plain_move(const cs_insn& insn) {
    const cs_x86& x = insn.detail->x86;
    bool mov = insn.id == X86_INS_MOV || insn.id == X86_INS_MOVSXD || insn.id == X86_INS_MOVSX ||
               insn.id == X86_INS_MOVZX || insn.id == X86_INS_XCHG;
    return mov && x.op_count == 2 && x.operands[0].type == X86_OP_REG && x.operands[1].type == X86_OP_REG;
}

}  // namespace

InstructionDecoder::InstructionDecoder() {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) throw std::runtime_error("capstone: cannot open x86-64");
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    handle_ = h;
}

InstructionDecoder::~InstructionDecoder() {
    csh h = handle_;
    cs_close(&h);
}

std::optional<InstructionFacts> InstructionDecoder::decode(std::span<const uint8_t> code, uint64_t address) const {
    cs_insn* insn = nullptr;
    if (cs_disasm(handle_, code.data(), code.size(), address, 1, &insn) != 1) return std::nullopt;
    InstructionFacts f;
    f.id = insn->id;
    f.mnemonic = insn->mnemonic;
    const char* name = cs_insn_name(handle_, insn->id);
    f.name = name ? name : f.mnemonic;
    f.text = insn->op_str[0] ? f.mnemonic + " " + insn->op_str : f.mnemonic;
    f.size = insn->size;
    cs_regs reads, writes;
    uint8_t nreads = 0, nwrites = 0;
    if (cs_regs_access(handle_, insn, reads, &nreads, writes, &nwrites) == CS_ERR_OK) {
        f.reads = gpr_bits(reads, nreads, nullptr);
        f.writes = gpr_bits(writes, nwrites, &f.writes_flags);
    }
    if (zero_idiom(*insn)) f.reads = 0;
    f.privileged = privileged_at_cpl3(*insn);
    f.is_syscall = insn->id == X86_INS_SYSCALL;
    const cs_x86& x = insn->detail->x86;
    f.is_int80 = insn->id == X86_INS_INT && x.op_count == 1 && x.operands[0].type == X86_OP_IMM && x.operands[0].imm == 0x80;
    f.is_move = plain_move(*insn);
    cs_free(insn, 1);
    return f;
}

}  // namespace sysentry::grading
