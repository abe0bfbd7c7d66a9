// sysret-non-canonical: the return path ran sysretq with a non-canonical RCX,
// a #GP taken in ring 0 on Intel (CVE-2012-0217).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class SysretNonCanonical final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (o.kernel.ring0_fault && o.kernel.fault_at_sysret && !x86::is_canonical(o.kernel.rcx_at_fault))
            found(fmt::format("sysretq at {:#x} with RCX = {:#x} (non-canonical): #GP in ring 0",
                              o.kernel.ring0_fault->rip, o.kernel.rcx_at_fault));
    }
};

}  // namespace

std::unique_ptr<Detector> make_sysret_non_canonical(const ProgramFacts&) { return std::make_unique<SysretNonCanonical>(); }

}  // namespace sysentry::grading
