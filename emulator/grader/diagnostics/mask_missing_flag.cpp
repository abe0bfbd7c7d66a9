// mask-missing-flag: SYSCALL_MASK leaves one of the flags the kernel needs
// cleared on entry (the seed's TF, DF, IF, IOPL, AC, NT) as the user had it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class MaskMissingFlag final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (!o.kernel.msrs) return;
        const uint64_t mask = o.kernel.msrs->syscall_mask, missing = x86::kSeedSyscallMask & ~mask;
        if (missing)
            found(fmt::format("SYSCALL_MASK is {:#x}: it does not clear {} ({:#x})", mask,
                              fmt::join(rflags_names(missing), ", "), missing));
    }
};

}  // namespace

std::unique_ptr<Detector> make_mask_missing_flag(const ProgramFacts&) { return std::make_unique<MaskMissingFlag>(); }

}  // namespace sysentry::grading
