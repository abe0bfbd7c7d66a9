// Everything the grader saw during one trial of a submission, gathered through
// the EventBus and a ring-3 instruction hook: the calls with their arguments as
// the kernel saw them, the instructions that ran, registers at exit, the open
// descriptors and processes, and the diagnostics' findings.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sysentry/elf_image.hpp"
#include "sysentry/events.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/msr_view.hpp"

namespace sysentry::grading {

struct ObservedCall {
    int pid = 0;
    SyscallAbi abi = SyscallAbi::x86_64;
    int64_t nr = 0;
    std::string name;
    std::array<uint64_t, 6> args{};
    int64_t ret = 0;
    bool returned = false;  // false for exit, exit_group, or a run stopped inside the call
};

// Kernel-side lessons only: what the student's guest kernel did, seen through
// transitions, faults and a ring-0 code hook (kernel_watch.cpp). Each
// evidence string is the first time the thing went wrong, one line.
struct KernelObservation {
    bool watched = false;                 // a kernel-side trial (the rest is meaningful)
    std::optional<SyscallMsrs> msrs;      // read back when ring 3 was first entered
    uint64_t entry_syscall_64 = 0;        // the student's kernel's symbol (what LSTAR should hold)
    uint64_t round_trips = 0;             // SYSCALL ... back to ring 3, compared below
    std::optional<std::string> clobbered;       // a user register (not rax, rcx, r11) changed
    std::optional<std::string> rsp_changed;     // RSP back in ring 3 is not the user's
    std::optional<std::string> not_ring3;       // the return did not reach CPL 3 with USER_CS/USER_DS
    std::optional<std::string> rflags_changed;  // RFLAGS back in ring 3 is not what R11 saved
    std::optional<std::string> gs_not_swapped;  // GS.base back in ring 3 is not the user's
    std::optional<std::string> iret_needlessly; // an untouched round trip returned by IRET
    std::optional<std::string> if_set;          // IF was 1 at a ring-0 instruction
    std::optional<std::string> user_stack_write; // ring 0 pushed onto (wrote) the user stack
    bool has_table = false;                     // the kernel has a sys_call_table (dispatch-bounds)
    std::optional<std::string> left_table;      // an indirect branch in ring 0 left the table's entries
    std::optional<FaultEvent> ring0_fault;      // the first fault taken in ring 0
    bool fault_at_sysret = false;               // ...at a sysretq
    uint64_t rcx_at_fault = 0;
};

struct TrialObservation {
    RunResult result{RunResult::Kind::engine_error};
    std::string stop_reason;  // a limit the grader enforced ("instruction limit (N) reached"), else ""
    std::string out, err;
    int init_pid = 0;
    std::vector<ObservedCall> calls;             // every process, in order of entry (not the spawn's execve)
    std::optional<RegisterFile> exit_registers;  // at the first process's exit/exit_group
    std::optional<FaultEvent> fatal_fault;       // the ring-3 fault that killed the first process
    uint64_t instructions = 0;                   // ring 3, every process
    std::map<std::string, uint64_t> by_name;      // Capstone's Intel name ("mov") -> count
    std::map<std::string, uint64_t> by_mnemonic;  // AT&T mnemonic ("movq") -> count
    std::set<int> open_fds;                      // the first process's, when it ended
    std::set<int> pids;                          // every process that ran
    std::filesystem::path root;                  // the guest's "/", alive while checks run
    std::map<std::string, std::string> findings; // diagnostic id -> the evidence, one line
    KernelObservation kernel;                    // kernel-side lessons

    // Quiz lessons only (side = "quiz"):
    bool record_transitions = false;             // set before the run: keep syscall_entries
    std::vector<RegisterFile> syscall_entries;   // the state right after each SYSCALL, every process
    const ElfImage* kernel_image = nullptr;      // the guest kernel's symbols, alive while checks run
    nlohmann::json answers;                      // the student's answer file, key -> number or name

    std::vector<const ObservedCall*> calls_of(int pid) const {
        std::vector<const ObservedCall*> out;
        for (auto& c : calls)
            if (c.pid == pid) out.push_back(&c);
        return out;
    }
    // How the first process ended, one line ("exited with status 0", "killed by SIGSEGV").
    std::string ending() const;
};

}  // namespace sysentry::grading
