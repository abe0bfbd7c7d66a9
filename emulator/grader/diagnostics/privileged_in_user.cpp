// privileged-in-user: cli, hlt, wrmsr, in/out... in ring 3. The CPU raises
// #GP and Linux turns it into SIGSEGV.
#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

class PrivilegedInUser final : public Detector {
public:
    void instruction(const ExecutedInstruction& i) override {
        if (i.facts.privileged) last_ = fmt::format("`{}` at {:#x}", i.facts.text, i.address), last_at_ = i.address;
    }
    void event(const Event& e) override {
        auto* fault = std::get_if<FaultEvent>(&e);
        if (fault && fault->cpl == 3 && fault->vector == 13 && last_ && fault->rip == last_at_)
            found(fmt::format("{} is privileged: in ring 3 it raised #GP, and the process got SIGSEGV", *last_));
    }

private:
    std::optional<std::string> last_;
    uint64_t last_at_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_privileged_in_user(const ProgramFacts&) { return std::make_unique<PrivilegedInUser>(); }

}  // namespace sysentry::grading
