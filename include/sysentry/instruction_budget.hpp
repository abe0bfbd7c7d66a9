// `--max-insns N`: ends a run once the guest has executed N instructions. A
// tool on the event stream, so a run without the option pays nothing.
#pragma once
#include <cstdint>

#include "sysentry/events.hpp"

namespace sysentry {

class Kernel;

class InstructionBudget final : private EventSink {
public:
    InstructionBudget(EventBus& events, Kernel& kernel, uint64_t limit);
    ~InstructionBudget() override;
    InstructionBudget(const InstructionBudget&) = delete;
    InstructionBudget& operator=(const InstructionBudget&) = delete;

    // True once the run was paused for going over; RunResult::Kind::paused then means this.
    bool exceeded() const { return exceeded_; }
    uint64_t limit() const { return limit_; }

private:
    void on_event(const Event& e) override;

    EventBus& events_;
    Kernel& kernel_;
    uint64_t limit_;
    bool exceeded_ = false;
};

}  // namespace sysentry
