// sce-not-set: EFER.SCE was still clear when ring 3 was entered, so every
// SYSCALL is #UD (the model records SCE, which the engine drops).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class SceNotSet final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (o.kernel.msrs && !o.kernel.msrs->sce())
            found(fmt::format("EFER is {:#x} when ring 3 starts: bit 0 (SCE) is clear, so SYSCALL raises #UD",
                              o.kernel.msrs->efer));
    }
};

}  // namespace

std::unique_ptr<Detector> make_sce_not_set(const ProgramFacts&) { return std::make_unique<SceNotSet>(); }

}  // namespace sysentry::grading
