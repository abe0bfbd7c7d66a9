// kernel-stack-not-switched: ring 0 pushed while rsp still pointed into the
// user half: the entry stub built its frame on the user's stack.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class KernelStackNotSwitched final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (o.kernel.user_stack_write) found(*o.kernel.user_stack_write);
    }
};

}  // namespace

std::unique_ptr<Detector> make_kernel_stack_not_switched(const ProgramFacts&) { return std::make_unique<KernelStackNotSwitched>(); }

}  // namespace sysentry::grading
