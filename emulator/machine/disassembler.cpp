#include "sysentry/disassembler.hpp"

#include <capstone/capstone.h>

#include <stdexcept>
#include <utility>

namespace sysentry {

Disassembler::Disassembler() {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) throw std::runtime_error("cs_open failed");
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
    handle_ = h;
}

Disassembler::Disassembler(Disassembler&& o) noexcept : handle_(std::exchange(o.handle_, 0)) {}

Disassembler& Disassembler::operator=(Disassembler&& o) noexcept {
    std::swap(handle_, o.handle_);
    return *this;
}

Disassembler::~Disassembler() {
    if (handle_) {
        csh h = handle_;
        cs_close(&h);
    }
}

static Instruction convert(const cs_insn& i) {
    return {i.address, i.size, i.id, i.mnemonic, i.op_str};
}

std::optional<Instruction> Disassembler::one(std::span<const uint8_t> code, uint64_t address) const {
    cs_insn* insn = nullptr;
    size_t n = cs_disasm(handle_, code.data(), code.size(), address, 1, &insn);
    if (n == 0) return std::nullopt;
    Instruction out = convert(insn[0]);
    cs_free(insn, n);
    return out;
}

std::vector<Instruction> Disassembler::all(std::span<const uint8_t> code, uint64_t address,
                                           size_t max_count) const {
    cs_insn* insn = nullptr;
    size_t n = cs_disasm(handle_, code.data(), code.size(), address, max_count, &insn);
    std::vector<Instruction> out;
    out.reserve(n);
    for (size_t k = 0; k < n; ++k) out.push_back(convert(insn[k]));
    if (n) cs_free(insn, n);
    return out;
}

}  // namespace sysentry
