// Watches a student's guest kernel in a kernel-side trial: each round trip
// (SYSCALL, then the return to ring 3) is compared with the user state before
// it, and every ring-0 instruction is seen by a code hook on the kernel image
// (IF, pushes onto a user stack). Faults in ring 0 and the SYSCALL MSRs, read
// back when ring 3 is first entered, are kept too. It only observes.
#pragma once
#include <optional>
#include <set>
#include <unordered_map>

#include "instruction_facts.hpp"
#include "sysentry/session.hpp"
#include "trial_observation.hpp"

namespace sysentry::grading {

class KernelWatch final : public EventSink {
public:
    KernelWatch(Session& session, KernelObservation& into);
    ~KernelWatch() override;
    KernelWatch(const KernelWatch&) = delete;
    KernelWatch& operator=(const KernelWatch&) = delete;

    void on_event(const Event& e) override;
    // Before it runs, each instruction of the kernel image.
    void instruction(uint64_t address, uint32_t size);

    // A code hook over the kernel image whose calls reach `*watch` once it is set.
    static Hook hook_kernel_code(Cpu& cpu, KernelWatch** watch);

private:
    struct Entry {
        RegisterFile user;     // the state at the SYSCALL instruction
        uint64_t gs_base;      // the user's GS.base
        bool rewritten = false;  // execve, rt_sigreturn or a signal: pt_regs changed on purpose
    };
    void entered_ring3(const TransitionEvent& t);
    void compare(const Entry& e, const RegisterFile& back);
    void ring0_fault(const FaultEvent& f);
    struct Site {
        bool pushes = false;    // push, call: a store through rsp
        bool indirect = false;  // call/jmp through a register or memory
    };
    const Site& site(uint64_t address, uint32_t size);
    void load_table();
    std::string place(uint64_t address) const;  // "entry_SYSCALL_64+12"

    Session& session_;
    KernelObservation& o_;
    InstructionDecoder decoder_;
    std::unordered_map<uint64_t, Site> sites_;
    std::set<uint64_t> table_entries_;          // what sys_call_table holds (dispatch-bounds)
    std::optional<uint64_t> indirect_from_;     // the indirect branch just executed
    std::optional<Entry> entry_;
    bool user_started_ = false;
};

}  // namespace sysentry::grading
