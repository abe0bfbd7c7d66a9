#include "kernel_invariants.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sysentry/x86.hpp"

#include "trial_observation.hpp"

namespace sysentry::grading {

namespace {

using Broken = std::optional<std::string>;

// The student's kernel never faulted in ring 0 (the model reports that as an oops).
Broken no_oops(const TrialObservation& o) {
    if (const auto& f = o.kernel.ring0_fault)
        return fmt::format("the guest kernel took exception {} in ring 0 at {:#x}{} (an oops)", f->vector, f->rip,
                           f->cr2 ? fmt::format(", address {:#x}", f->cr2) : "");
    if (o.result.kind == RunResult::Kind::oops) return "the guest kernel faulted in ring 0 (an oops)";
    return std::nullopt;
}

// STAR, LSTAR, SYSCALL_MASK and EFER.SCE as Linux's syscall_init leaves them.
Broken msrs_programmed(const TrialObservation& o) {
    if (!o.kernel.msrs) return "ring 3 was never entered: the kernel did not finish booting";
    const SyscallMsrs& m = *o.kernel.msrs;
    if ((m.star >> x86::kStarSyscallShift) != (x86::linux_star() >> x86::kStarSyscallShift))
        return fmt::format("STAR is {:#x}; STAR[63:32] should be {:#x} (__USER32_CS, __KERNEL_CS)", m.star,
                           x86::linux_star() >> x86::kStarSyscallShift);
    if (m.lstar != o.kernel.entry_syscall_64)
        return fmt::format("LSTAR is {:#x}, not entry_SYSCALL_64 ({:#x})", m.lstar, o.kernel.entry_syscall_64);
    if (uint64_t missing = x86::kSeedSyscallMask & ~m.syscall_mask)
        return fmt::format("SYSCALL_MASK is {:#x}: {} not cleared on entry", m.syscall_mask,
                           fmt::join(rflags_names(missing), ", "));
    if (!m.sce()) return fmt::format("EFER is {:#x}: SCE (bit 0) is clear", m.efer);
    return std::nullopt;
}

// An invariant of every round trip: broken when `evidence` is set, or when no
// system call came back to compare.
Broken per_round_trip(const TrialObservation& o, const std::optional<std::string>& evidence) {
    if (evidence) return evidence;
    if (!o.kernel.round_trips) return "no system call returned to ring 3";
    return std::nullopt;
}

Broken registers_preserved(const TrialObservation& o) { return per_round_trip(o, o.kernel.clobbered); }
Broken rsp_restored(const TrialObservation& o) { return per_round_trip(o, o.kernel.rsp_changed); }
Broken back_in_ring3(const TrialObservation& o) { return per_round_trip(o, o.kernel.not_ring3); }
Broken rflags_from_r11(const TrialObservation& o) { return per_round_trip(o, o.kernel.rflags_changed); }
Broken gs_swapped_back(const TrialObservation& o) { return per_round_trip(o, o.kernel.gs_not_swapped); }
Broken if_clear_in_ring0(const TrialObservation& o) { return per_round_trip(o, o.kernel.if_set); }
Broken sysret_when_safe(const TrialObservation& o) { return per_round_trip(o, o.kernel.iret_needlessly); }
Broken dispatch_in_table(const TrialObservation& o) {
    if (!o.kernel.has_table) return "the kernel has no sys_call_table";
    return per_round_trip(o, o.kernel.left_table);
}
Broken user_stack_untouched(const TrialObservation& o) { return per_round_trip(o, o.kernel.user_stack_write); }

const KernelInvariant kInvariants[] = {
    {"no-oops", "the guest kernel never faults in ring 0", no_oops},
    {"msrs-programmed", "STAR, LSTAR, SYSCALL_MASK and EFER.SCE read back as Linux's syscall_init sets them",
     msrs_programmed},
    {"registers-preserved", "every user register but rax, rcx and r11 survives each system call", registers_preserved},
    {"rsp-restored", "RSP is the user's again after each system call", rsp_restored},
    {"back-in-ring3", "each return reaches CPL 3 with USER_CS and USER_DS", back_in_ring3},
    {"rflags-from-r11", "RFLAGS after each system call is what SYSCALL saved in R11", rflags_from_r11},
    {"gs-swapped-back", "GS.base is the user's again after each system call", gs_swapped_back},
    {"if-clear-in-ring0", "IF is 0 at every instruction the kernel runs for a system call", if_clear_in_ring0},
    {"sysret-when-safe", "a system call that left pt_regs as SYSRET restores it returns by SYSRET", sysret_when_safe},
    {"dispatch-in-table", "every indirect branch in ring 0 lands on an entry of sys_call_table", dispatch_in_table},
    {"user-stack-untouched", "the kernel never pushes onto the user's stack", user_stack_untouched},
};

}  // namespace

const KernelInvariant* find_kernel_invariant(std::string_view name) {
    auto it = std::ranges::find(kInvariants, name, &KernelInvariant::name);
    return it == std::end(kInvariants) ? nullptr : &*it;
}

}  // namespace sysentry::grading
