// stack-misaligned: a call into the harness with rsp not 16-byte aligned
// before the call (the System V ABI: rsp + 8 is a multiple of 16 on entry).
#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

class StackMisaligned final : public Detector {
public:
    explicit StackMisaligned(const ProgramFacts& facts) : calls_(facts.harness_calls) {}
    void instruction(const ExecutedInstruction& i) override {
        auto it = calls_.find(i.address);
        if (it == calls_.end()) return;
        uint64_t rsp = i.reg(Gpr::rsp);
        if ((rsp + 8) % 16 != 0)
            found(fmt::format("{} was entered with rsp = {:#x}: before the call rsp was {:#x}, not a multiple of 16",
                              it->second, rsp, rsp + 8));
    }

private:
    std::map<uint64_t, std::string> calls_;
};

}  // namespace

std::unique_ptr<Detector> make_stack_misaligned(const ProgramFacts& facts) {
    return std::make_unique<StackMisaligned>(facts);
}

}  // namespace sysentry::grading
