// no-swapgs-on-return: ring 3 was re-entered with GS.base still the kernel's
// per-CPU area: the entry's swapgs was not undone on the way out.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class NoSwapgsOnReturn final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (o.kernel.gs_not_swapped) found(*o.kernel.gs_not_swapped);
    }
};

}  // namespace

std::unique_ptr<Detector> make_no_swapgs_on_return(const ProgramFacts&) { return std::make_unique<NoSwapgsOnReturn>(); }

}  // namespace sysentry::grading
