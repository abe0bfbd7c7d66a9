#include "sysentry/instruction_budget.hpp"

#include "sysentry/kernel.hpp"

namespace sysentry {

InstructionBudget::InstructionBudget(EventBus& events, Kernel& kernel, uint64_t limit)
    : events_(events), kernel_(kernel), limit_(limit) {
    events_.subscribe(this, kInstructions);
}

InstructionBudget::~InstructionBudget() { events_.unsubscribe(this); }

// The engine finishes the translation block it is in after a stop request, so
// the run ends within a few instructions after the limit, never before it. The
// request is repeated: a block ending in a hook that moves RIP (SYSCALL, SYSRET)
// swallows a stop (docs/carrier.md).
void InstructionBudget::on_event(const Event& e) {
    const auto* i = std::get_if<InstructionEvent>(&e);
    if (!i || i->count <= limit_) return;
    exceeded_ = true;
    kernel_.request_pause();
}

}  // namespace sysentry
