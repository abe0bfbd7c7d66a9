// Capstone, owned: x86-64 disassembly for the stepper, traces, oops reports
// and the model's scan of guest kernel text.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sysentry {

struct Instruction {
    uint64_t address;
    uint16_t size;
    unsigned id;          // capstone's x86_insn
    std::string mnemonic; // "sysretq"
    std::string operands; // "%rcx, %r11"
    std::string text() const { return operands.empty() ? mnemonic : mnemonic + " " + operands; }
};

class Disassembler {
public:
    Disassembler();  // AT&T syntax, as gdb and objdump print by default
    Disassembler(Disassembler&&) noexcept;
    Disassembler& operator=(Disassembler&&) noexcept;
    ~Disassembler();

    std::optional<Instruction> one(std::span<const uint8_t> code, uint64_t address) const;
    std::vector<Instruction> all(std::span<const uint8_t> code, uint64_t address,
                                 size_t max_count = 0) const;

private:
    size_t handle_ = 0;  // csh
};

}  // namespace sysentry
