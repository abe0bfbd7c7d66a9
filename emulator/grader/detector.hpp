// A diagnostic's detector: it watches one trial (each ring-3 instruction before
// it runs, and each event) and records the first evidence of its mistake. The
// catalogue in diagnostics.cpp pairs each detector with its id and explanation.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "instruction_facts.hpp"
#include "sysentry/cpu.hpp"
#include "sysentry/events.hpp"
#include "trial_observation.hpp"

namespace sysentry::grading {

// Facts about the submission's ELF that detectors compare against.
struct ProgramFacts {
    uint64_t text_begin = 0, text_end = 0;             // the executable sections' extent
    std::map<uint64_t, std::string> harness_calls;     // entry address -> function name
    // The student's own code ([begin, end) ranges): the whole text for a lone
    // assembly file, the submission's .text sections when linked with libc.
    std::vector<std::pair<uint64_t, uint64_t>> student_code;
    // Initialised data as the file holds it (vaddr, bytes): the program's literals.
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> file_data;

    bool in_student_code(uint64_t address) const {
        for (auto [begin, end] : student_code)
            if (address >= begin && address < end) return true;
        return false;
    }
};

// One instruction about to run in ring 3.
struct ExecutedInstruction {
    uint64_t address;
    const InstructionFacts& facts;
    const Cpu& cpu;
    uint64_t reg(Gpr r) const;
};

class Detector {
public:
    virtual ~Detector() = default;
    virtual void instruction(const ExecutedInstruction&) {}
    virtual void event(const Event&) {}
    virtual void finish(const TrialObservation&) {}
    const std::optional<std::string>& evidence() const { return evidence_; }

protected:
    void found(std::string evidence) {
        if (!evidence_) evidence_ = std::move(evidence);
    }

private:
    std::optional<std::string> evidence_;
};

using DetectorFactory = std::unique_ptr<Detector> (*)(const ProgramFacts&);

}  // namespace sysentry::grading
