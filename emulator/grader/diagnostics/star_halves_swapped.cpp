// star-halves-swapped: syscall_init put the SYSRET base in STAR[47:32] and the
// SYSCALL CS in STAR[63:48], read back from the MSR once ring 3 is entered.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class StarHalvesSwapped final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (!o.kernel.msrs) return;
        const SyscallMsrs& m = *o.kernel.msrs;
        const auto syscall_half = uint16_t(m.star >> x86::kStarSyscallShift), sysret_half = m.sysret_base();
        if (syscall_half == x86::kUser32Cs && sysret_half == x86::kKernelCs)
            found(fmt::format("STAR is {:#x}: STAR[47:32] = {:#x} (__USER32_CS) and STAR[63:48] = {:#x} "
                              "(__KERNEL_CS); SYSCALL would load CS {:#x}", m.star, syscall_half, sysret_half,
                              m.syscall_cs()));
    }
};

}  // namespace

std::unique_ptr<Detector> make_star_halves_swapped(const ProgramFacts&) { return std::make_unique<StarHalvesSwapped>(); }

}  // namespace sysentry::grading
