// user-register-clobbered: a register other than rax, rcx and r11 came back
// from a system call with another value than it went in with.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "detectors.hpp"
#include "sysentry/x86.hpp"

namespace sysentry::grading {

namespace {

class UserRegisterClobbered final : public Detector {
public:
    void finish(const TrialObservation& o) override {
        if (o.kernel.clobbered) found(*o.kernel.clobbered);
    }
};

}  // namespace

std::unique_ptr<Detector> make_user_register_clobbered(const ProgramFacts&) { return std::make_unique<UserRegisterClobbered>(); }

}  // namespace sysentry::grading
