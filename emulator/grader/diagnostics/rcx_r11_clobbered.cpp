// rcx-r11-clobbered: rcx or r11 read after a syscall, before any write, as if
// the call had preserved them (SYSCALL puts the return RIP in rcx and RFLAGS
// in r11). Found by dataflow over each instruction's registers.
#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

class RcxR11Clobbered final : public Detector {
public:
    explicit RcxR11Clobbered(const ProgramFacts& facts) : facts_(facts) {}
    void instruction(const ExecutedInstruction& i) override {
        if (i.facts.is_syscall) {
            clobbered_ = bit(Gpr::rcx) | bit(Gpr::r11);
            syscall_at_ = i.address;
            return;
        }
        if (uint32_t stale = i.facts.reads & clobbered_; stale && facts_.in_student_code(i.address)) {
            Gpr r = (stale & bit(Gpr::rcx)) ? Gpr::rcx : Gpr::r11;
            found(fmt::format("`{}` at {:#x} reads {}, which the syscall at {:#x} overwrote", i.facts.text, i.address,
                              gpr_name(r), syscall_at_));
        }
        clobbered_ &= ~i.facts.writes;
    }
    void event(const Event& e) override {
        // rt_sigreturn restores every register from the signal frame.
        if (auto* call = std::get_if<SyscallEntryEvent>(&e); call && call->name == "rt_sigreturn") clobbered_ = 0;
    }

private:
    const ProgramFacts& facts_;
    uint32_t clobbered_ = 0;
    uint64_t syscall_at_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_rcx_r11_clobbered(const ProgramFacts& facts) {
    return std::make_unique<RcxR11Clobbered>(facts);
}

}  // namespace sysentry::grading
