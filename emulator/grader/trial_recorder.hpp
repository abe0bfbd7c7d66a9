// Watches one trial: calls, faults and exits through the EventBus, and each
// ring-3 instruction through a code hook on the user half (installed when the
// machine is made, before anything is translated: adding a hook later costs
// a flush of the engine's whole code buffer). Each instruction is decoded
// once per address, counted, held to the instruction limit and handed to the
// diagnostics' detectors. It observes; it never changes what the guest does
// (beyond stopping it at a limit).
#pragma once
#include <memory>
#include <unordered_map>
#include <vector>

#include "detector.hpp"
#include "instruction_facts.hpp"
#include "sysentry/cpu.hpp"
#include "sysentry/lesson.hpp"
#include "sysentry/session.hpp"
#include "trial_observation.hpp"

namespace sysentry::grading {

// The detectors that watch a trial, each with its diagnostic's id.
using Detectors = std::vector<std::pair<std::string, std::unique_ptr<Detector>>>;

class TrialRecorder final : public EventSink {
public:
    TrialRecorder(Session& session, const Limits& limits, Detectors detectors, TrialObservation& into);
    ~TrialRecorder() override;
    TrialRecorder(const TrialRecorder&) = delete;
    TrialRecorder& operator=(const TrialRecorder&) = delete;

    void on_event(const Event& e) override;
    // Before it runs, each ring-3 instruction.
    void instruction(uint64_t address, uint32_t size);
    // After the run: instruction counts, the detectors' findings.
    void finish();

    // A code hook for the user half whose calls reach `*recorder` once it is set.
    static Hook hook_user_code(Cpu& cpu, TrialRecorder** recorder);

private:
    struct Site {
        InstructionFacts facts;
        uint64_t count = 0;
    };
    const Site* site(uint64_t address, uint32_t size);
    void stop(std::string reason);
    void track_descriptors(const SyscallExitEvent& e);

    Session& session_;
    Limits limits_;
    Detectors detectors_;
    TrialObservation& o_;
    InstructionDecoder decoder_;
    std::unordered_map<uint64_t, Site> sites_;
    std::optional<RegisterFile> at_last_call_;  // registers at the latest syscall/int $0x80
    uint64_t output_bytes_ = 0;
    bool stopping_ = false;
};

}  // namespace sysentry::grading
