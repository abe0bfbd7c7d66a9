// no-exit: the program never called exit and ran on past its last instruction
// into whatever follows (zero padding, data, an unmapped page).
#include <fmt/format.h>

#include "detectors.hpp"

namespace sysentry::grading {

namespace {

class NoExit final : public Detector {
public:
    explicit NoExit(const ProgramFacts& facts) : facts_(facts) {}
    void instruction(const ExecutedInstruction& i) override {
        if (past_the_code(i.address))
            found(fmt::format("execution reached {:#x}, past the end of the code ({:#x}): nothing called exit",
                              i.address, facts_.text_end));
    }
    void finish(const TrialObservation& o) override {
        if (o.fatal_fault && past_the_code(o.fatal_fault->rip))
            found(fmt::format("the program died at {:#x}, past the end of the code ({:#x}): nothing called exit",
                              o.fatal_fault->rip, facts_.text_end));
    }

private:
    // Beyond the executable sections but close behind them: the run fell off the end.
    bool past_the_code(uint64_t rip) const {
        return facts_.text_end && rip >= facts_.text_end && rip < facts_.text_end + (1 << 20);
    }
    ProgramFacts facts_;
};

}  // namespace

std::unique_ptr<Detector> make_no_exit(const ProgramFacts& facts) { return std::make_unique<NoExit>(facts); }

}  // namespace sysentry::grading
