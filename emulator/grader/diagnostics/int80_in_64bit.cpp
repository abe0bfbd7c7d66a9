// int80-in-64bit: int $0x80 from 64-bit code enters the i386 table, which
// takes 32-bit arguments: a pointer above 4 GiB (any stack address) is cut.
#include <array>
#include <map>

#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

constexpr std::array<Gpr, 6> kI386Args = {Gpr::rbx, Gpr::rcx, Gpr::rdx, Gpr::rsi, Gpr::rdi, Gpr::rbp};
constexpr std::array<std::string_view, 6> kI386Names = {"ebx", "ecx", "edx", "esi", "edi", "ebp"};

int argument_count(std::string_view name) {
    static const std::map<std::string_view, int> kCounts = {{"exit", 1}, {"exit_group", 1}, {"close", 1}, {"brk", 1},
                                                            {"read", 3}, {"write", 3},      {"open", 3}};
    auto it = kCounts.find(name);
    return it == kCounts.end() ? 3 : it->second;
}

class Int80In64Bit final : public Detector {
public:
    void instruction(const ExecutedInstruction& i) override {
        if (!i.facts.is_int80) return;
        for (size_t k = 0; k < kI386Args.size(); ++k) full_[k] = i.reg(kI386Args[k]);
    }
    void event(const Event& e) override {
        auto* call = std::get_if<SyscallEntryEvent>(&e);
        if (!call || call->abi != SyscallAbi::i386) return;
        for (int k = 0; k < argument_count(call->name); ++k)
            if (full_[k] >> 32)
                return found(fmt::format("int $0x80 {}: {} held {:#x}, the kernel saw {:#x} (32 bits only)", call->name,
                                         kI386Names[k], full_[k], uint32_t(full_[k])));
    }

private:
    std::array<uint64_t, 6> full_{};
};

}  // namespace

std::unique_ptr<Detector> make_int80_in_64bit(const ProgramFacts&) { return std::make_unique<Int80In64Bit>(); }

}  // namespace sysentry::grading
