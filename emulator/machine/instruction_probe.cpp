#include "sysentry/instruction_probe.hpp"

#include "sysentry/machine.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

InstructionProbe::InstructionProbe(Machine& machine, EventBus& events)
    : machine_(machine), events_(events),
      carrier_landing_(machine.kernel_symbol("sysentry_carrier_landing")),
      carrier_iret_(machine.kernel_symbol("sysentry_carrier_iret")) {
    events_.set_instruction_probe(&count_, [this](unsigned wanted) { update(wanted); });
}

InstructionProbe::~InstructionProbe() { events_.set_instruction_probe(nullptr, nullptr); }

// The hook goes in or out as interest changes. Blocks translated without it
// would never call it, so the engine's translations are dropped either way
// (interest changes between runs, never inside a hook).
void InstructionProbe::update(unsigned wanted) {
    publish_ = wanted & kInstructions;
    bool want = wanted & (kInstructions | kInstructionCount);
    if (want == installed_) return;
    hook_ = want ? machine_.cpu().hook_code(on_instruction, this, 1, 0) : Hook();
    installed_ = want;
    machine_.cpu().flush_translations();
}

// The call-gate page and the landing: SYSCALL and `int n` were counted already.
bool InstructionProbe::is_carrier(uint64_t address) const {
    return address - kCarrierPage < x86::kPageSize || address == carrier_landing_;
}

// The model's hook at a sysretq moves RIP to the carrier's IRET, and the engine
// then skips the hooks after it, this one included: that IRET is counted in
// the sysretq's place, but not reported (the SYSRET TransitionEvent names it).
void InstructionProbe::on_instruction(uc_engine*, uint64_t address, uint32_t size, void* user) {
    auto& self = *static_cast<InstructionProbe*>(user);
    if (self.is_carrier(address)) return;
    ++self.count_;
    if (self.publish_ && address != self.carrier_iret_)
        self.events_.publish(InstructionEvent{address, size, self.count_, &self.machine_.cpu()});
}

}  // namespace sysentry
