// The --itrace tool: one line per executed instruction, with its ring, address,
// symbol, disassembly and the registers it changed, from InstructionEvents.
// Decoding is cached per address and checked against the bytes each time, so
// self-modifying code and a new program after execve are decoded afresh.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "sysentry/elf_image.hpp"
#include "sysentry/events.hpp"

namespace sysentry {

class Session;
class Cpu;
struct Process;

class InstructionTrace final : public EventSink {
public:
    // Interest to subscribe with.
    static constexpr unsigned kInterest = kInstructions | kTransitions;
    InstructionTrace(FILE* out, Session& session);
    ~InstructionTrace() override;
    void on_event(const Event& e) override;
    // Writes the last instruction and flushes; call once the run has ended.
    void finish();

    static constexpr size_t kTracked = 29;  // the registers a line can name (rax ... gs_base)

private:
    struct Decoded {
        std::array<uint8_t, 16> bytes{};
        uint8_t size = 0;
        const void* image = nullptr;  // the program whose symbols named it (user addresses)
        uint32_t writes = 0;          // bit i: tracked register i
        std::string text, text_trimmed;  // "<symbol+off>  disassembly", padded and not
    };
    struct Pending {
        const Decoded* decoded = nullptr;
        uint64_t address = 0, count = 0;
        unsigned ring = 0;
        std::array<uint64_t, kTracked> before{};
    };
    const Decoded& decode(uint64_t address, uint32_t size, const Cpu& cpu);
    void transition(const TransitionEvent& t);
    void read(const Cpu& cpu, uint32_t mask, std::array<uint64_t, kTracked>& into) const;
    void emit(const Pending& p, const std::array<uint64_t, kTracked>& now);
    std::string symbol_at(uint64_t address, const Process* current);
    void flush();

    FILE* out_;
    Session& session_;
    size_t capstone_ = 0;  // csh, with instruction details on
    std::unordered_map<uint64_t, Decoded> cache_;
    struct Program {
        std::shared_ptr<const std::vector<uint8_t>> bytes;  // held, so its address stays its own
        ElfImage elf;
    };
    std::map<const void*, Program> programs_;  // parsed, by the process's image buffer
    std::optional<Pending> pending_;
    std::optional<TransitionEvent> transition_;  // waiting for the instruction it belongs to
    std::array<uint64_t, kTracked> now_{};
    std::string buffer_;
};

}  // namespace sysentry
