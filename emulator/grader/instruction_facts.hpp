// What the grader needs to know about one ring-3 instruction, decoded once per
// address with Capstone's detail mode: which registers it reads and writes
// (explicitly or implicitly, folded to their 64-bit register), whether it sets
// flags, and whether it is privileged, a syscall or an int $0x80.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace sysentry::grading {

// The sixteen general registers, in x86's encoding order; a bit per register.
enum class Gpr : unsigned { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15 };
constexpr uint32_t bit(Gpr r) { return 1u << unsigned(r); }
std::string_view gpr_name(Gpr r);

struct InstructionFacts {
    unsigned id = 0;        // Capstone's x86_insn
    std::string name;       // Capstone's Intel name, without a size: "mov"
    std::string mnemonic;   // AT&T, as printed: "movq"
    std::string text;       // "movq %rcx, %rdi"
    uint16_t size = 0;
    uint32_t reads = 0, writes = 0;  // Gpr bits
    bool writes_flags = false;
    bool privileged = false;  // #GP at CPL 3
    bool is_syscall = false, is_int80 = false;
    bool is_move = false;     // a plain copy: mov/movq/movl..., the destination takes the source's value
};

class InstructionDecoder {
public:
    InstructionDecoder();
    ~InstructionDecoder();
    InstructionDecoder(const InstructionDecoder&) = delete;
    InstructionDecoder& operator=(const InstructionDecoder&) = delete;

    std::optional<InstructionFacts> decode(std::span<const uint8_t> code, uint64_t address) const;

private:
    size_t handle_ = 0;  // csh
};

}  // namespace sysentry::grading
