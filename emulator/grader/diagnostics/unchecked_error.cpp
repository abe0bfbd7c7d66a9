// unchecked-error: a call made by the student's code failed (rax in -4095..-1)
// and the program went on as if it had not: the result was overwritten, or the
// next call made, before anything but a register copy looked at it. A test, a
// comparison or any other use of the value (or of a copy) counts as a check.
#include <cstring>

#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

class UncheckedError final : public Detector {
public:
    explicit UncheckedError(const ProgramFacts& facts) : facts_(facts) {}
    void event(const Event& e) override {
        if (auto* done = std::get_if<SyscallExitEvent>(&e)) {
            if (mine_ && done->returns && done->ret < 0 && done->ret >= -4095) {
                const char* name = strerrorname_np(int(-done->ret));
                failed_ = fmt::format("{} failed with {}", done->name, name ? name : std::to_string(-done->ret));
                holders_ = bit(Gpr::rax);
            }
        } else if (auto* next = std::get_if<SyscallEntryEvent>(&e); next && failed_) {
            bool reported = (next->name == "exit" || next->name == "exit_group") && (holders_ & bit(Gpr::rdi));
            if (!reported) unchecked(fmt::format("the next call, {}, came before any test of rax", next->name));
            failed_.reset();
        }
    }
    void instruction(const ExecutedInstruction& i) override {
        if (i.facts.is_syscall) {
            mine_ = facts_.in_student_code(i.address);
            return;
        }
        if (!failed_) return;
        if (i.facts.reads & holders_) {
            if (!i.facts.is_move) return failed_.reset();  // tested, compared, stored or computed with: looked at
            holders_ |= i.facts.writes;
            return;
        }
        holders_ &= ~i.facts.writes;
        if (!holders_) {
            unchecked(fmt::format("`{}` at {:#x} overwrote the result untested", i.facts.text, i.address));
            failed_.reset();
        }
    }
    void finish(const TrialObservation&) override {
        if (failed_) unchecked("the program ended without testing rax");
    }

private:
    void unchecked(const std::string& how) { found(fmt::format("{} (-errno in rax); {}", *failed_, how)); }
    const ProgramFacts& facts_;
    bool mine_ = false;  // the latest syscall instruction is the student's
    std::optional<std::string> failed_;
    uint32_t holders_ = 0;  // registers holding the failed result
};

}  // namespace

std::unique_ptr<Detector> make_unchecked_error(const ProgramFacts& facts) {
    return std::make_unique<UncheckedError>(facts);
}

}  // namespace sysentry::grading
