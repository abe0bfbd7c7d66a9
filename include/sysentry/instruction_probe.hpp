// Counts executed instructions, and reports each one, only while a tool asks
// (kInstructionCount, kInstructions): then one code hook runs on every
// instruction; otherwise no hook is installed and the engine runs untouched.
// The carrier's helper instructions (docs/carrier.md) are not counted.
#pragma once
#include <cstdint>

#include "sysentry/cpu.hpp"
#include "sysentry/events.hpp"

namespace sysentry {

class Machine;

class InstructionProbe {
public:
    // Registers with `events`, which then tells it when interest changes.
    InstructionProbe(Machine& machine, EventBus& events);
    ~InstructionProbe();
    InstructionProbe(const InstructionProbe&) = delete;
    InstructionProbe& operator=(const InstructionProbe&) = delete;

    uint64_t count() const { return count_; }
    bool installed() const { return installed_; }

private:
    void update(unsigned wanted);
    bool is_carrier(uint64_t address) const;
    static void on_instruction(uc_engine*, uint64_t address, uint32_t size, void* user);

    Machine& machine_;
    EventBus& events_;
    Hook hook_;
    bool installed_ = false, publish_ = false;
    uint64_t count_ = 0;
    uint64_t carrier_landing_, carrier_iret_;
};

}  // namespace sysentry
