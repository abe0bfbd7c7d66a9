// i386-numbers: i386 call numbers (and argument registers) used with the
// x86-64 `syscall`: 1 is exit on i386 but write here, 4 is write on i386 but
// stat here.
#include <array>

#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

// The i386 table's first entries, whose numbers students remember.
constexpr std::array<std::string_view, 7> kI386 = {"restart_syscall", "exit", "fork", "read", "write", "open", "close"};

class I386Numbers final : public Detector {
public:
    explicit I386Numbers(const ProgramFacts& facts) : facts_(facts) {}
    void instruction(const ExecutedInstruction& i) override {
        if (!i.facts.is_syscall) {
            written_ |= i.facts.writes;
            return;
        }
        mine_ = facts_.in_student_code(i.address);
        i386_registers_ = (written_ & bit(Gpr::rbx)) && !(written_ & bit(Gpr::rdi));
        written_ = 0;
    }
    void event(const Event& e) override {
        auto* call = std::get_if<SyscallEntryEvent>(&e);
        if (!call || !mine_ || call->abi != SyscallAbi::x86_64 || call->nr < 1 || call->nr > 6) return;
        bool path_call = call->name == "open" || call->name == "stat" || call->name == "lstat";
        bool not_a_pointer = path_call && call->args[0] != 0 && call->args[0] < 4096;  // an fd where a path goes
        if (std::exchange(i386_registers_, false) || not_a_pointer)
            found(fmt::format("syscall with rax = {} is {} in the x86-64 table; {} is {} only for i386's int $0x80",
                              call->nr, call->name, call->nr, kI386[size_t(call->nr)]));
    }

private:
    const ProgramFacts& facts_;
    bool mine_ = false;     // the call came from the student's code
    uint32_t written_ = 0;
    bool i386_registers_ = false;  // rbx set for this call, rdi not: i386's argument order
};

}  // namespace

std::unique_ptr<Detector> make_i386_numbers(const ProgramFacts& facts) { return std::make_unique<I386Numbers>(facts); }

}  // namespace sysentry::grading
