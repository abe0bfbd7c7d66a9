// entry_SYSCALL_64's choice of way back: SYSRET only when pt_regs says exactly
// what SYSRET would restore, IRET otherwise; and what a fault in ring 0 does.
// No implemented syscall rewrites pt_regs yet (execve, rt_sigreturn and
// signal delivery will), so these tests do what those would: a sink edits
// pt_regs through kernel memory while do_syscall_64 runs (%rdi holds its address).
#include <gtest/gtest.h>

#include "sysentry/kernel_abi.h"
#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// getpid at `the_syscall`; exit 1 if it returns to the next instruction,
// 42 if it returns to `alternate`.
constexpr std::string_view kRedirectable = R"(
	movl	$39, %eax
the_syscall:
	syscall
	exit_imm 1
alternate:
	exit_imm 42
)";

// A sink edit: `edit(memory, regs)` runs when getpid enters do_syscall_64.
RunSetup edit_pt_regs(std::function<void(PagedMemory&, uint64_t, const GuestRun*)> edit, const GuestRun*& self) {
    RunSetup setup;
    setup.on_event = [edit, &self](Session& s, const Event& e) {
        auto* entry = std::get_if<SyscallEntryEvent>(&e);
        if (!entry || entry->name != "getpid") return;
        PagedMemory mem = s.machine().kernel_memory();
        edit(mem, s.machine().cpu().reg(Reg::rdi), self);
    };
    return setup;
}

std::optional<TransitionEvent> first_return_to_ring3_after_syscall(const GuestRun& run) {
    bool in_syscall = false;
    for (auto& t : run.events.transitions) {
        if (t.kind == TransitionKind::syscall) in_syscall = true;
        else if (in_syscall && t.before.cpl == 0 && t.after.cpl == 3) return t;
    }
    return std::nullopt;
}

TEST(return_path, changed_pt_regs_ip_returns_by_iret_to_the_new_ip) {
    // Assemble once to learn where `alternate` is; the address is the same in every build.
    GuestRun probe = run_asm(asm_program(kRedirectable));
    ASSERT_TRUE(probe.exited(1)) << describe(probe);
    ASSERT_EQ(int(first_return_to_ring3_after_syscall(probe)->kind), int(TransitionKind::sysret))
        << "unchanged pt_regs: SYSRET" << describe(probe.events.transitions);
    uint64_t alternate = probe.symbol("alternate");

    const GuestRun* none = nullptr;
    RunSetup setup = edit_pt_regs([alternate](PagedMemory& mem, uint64_t regs, const GuestRun*) {
        mem.write_value<uint64_t>(regs + PTREGS_RIP, alternate);  // as signal delivery would
    }, none);
    GuestRun run = run_asm(asm_program(kRedirectable), setup);
    EXPECT_TRUE(run.exited(42)) << describe(run);
    auto back = first_return_to_ring3_after_syscall(run);
    ASSERT_TRUE(back.has_value()) << describe(run.events.transitions);
    EXPECT_EQ(int(back->kind), int(TransitionKind::iret)) << describe(run.events.transitions);
    EXPECT_EQ(back->after.rip, alternate);
    EXPECT_EQ(back->after.cs, 0x33);
    EXPECT_EQ(back->after.ss, 0x2b);
    EXPECT_EQ(back->after.rax, 1000u) << "getpid's result still arrives";
}

TEST(return_path, changed_pt_regs_flags_returns_by_iret_with_those_flags) {
    const GuestRun* none = nullptr;
    RunSetup setup = edit_pt_regs([](PagedMemory& mem, uint64_t regs, const GuestRun*) {
        uint64_t flags = mem.read_value<uint64_t>(regs + PTREGS_EFLAGS).value();
        mem.write_value<uint64_t>(regs + PTREGS_EFLAGS, flags | x86::kFlagDf);
    }, none);
    GuestRun run = run_asm(asm_program(R"(
	movl	$39, %eax
	syscall
	pushfq
	popq	%rbx
	cld
	testq	$0x400, %rbx		# DF, which only pt_regs->flags had
	jz	1f
	exit_imm 0
1:	exit_imm 1
)"), setup);
    EXPECT_TRUE(run.exited(0)) << "the guest did not get pt_regs->flags: " << describe(run);
    auto back = first_return_to_ring3_after_syscall(run);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(int(back->kind), int(TransitionKind::iret)) << describe(run.events.transitions);
    EXPECT_TRUE(back->after.rflags & x86::kFlagDf);
}

// pt_regs->ip == pt_regs->cx, both non-canonical (ptrace can do this on Linux):
// the guard must refuse SYSRET (CVE-2012-0217) and use IRET, whose #GP then
// belongs to the IRET, not to a SYSRET in ring 0 with user RSP.
TEST(return_path, non_canonical_rcx_is_never_given_to_sysret) {
    const uint64_t kNonCanonical = 0x0000800000000000;
    const GuestRun* none = nullptr;
    RunSetup setup = edit_pt_regs([=](PagedMemory& mem, uint64_t regs, const GuestRun*) {
        mem.write_value<uint64_t>(regs + PTREGS_RIP, kNonCanonical);
        mem.write_value<uint64_t>(regs + PTREGS_RCX, kNonCanonical);
    }, none);
    GuestRun run = run_asm(asm_program(kRedirectable), setup);
    ASSERT_TRUE(run.ok()) << run.error;
    for (auto& t : run.events.transitions)
        EXPECT_NE(int(t.kind), int(TransitionKind::sysret)) << describe(run.events.transitions);
    ASSERT_TRUE(run.result.fault.has_value()) << describe(run);
    EXPECT_EQ(run.result.fault->vector, x86::kGeneralProtection) << describe(run);
    EXPECT_EQ(run.result.fault->why.find("SYSRET"), std::string::npos) << "SYSRET never ran: " << describe(run);
    EXPECT_NE(int(run.result.kind), int(RunResult::Kind::exited)) << describe(run);
    EXPECT_NE(int(run.result.kind), int(RunResult::Kind::engine_error)) << describe(run);
}

// A fault in ring 0: an IRET frame with a null SS for ring 3 is #GP at the
// iretq itself. Linux would fix that up into a SIGSEGV; the model has no
// exception fixups, so this is its oops path, reached with the shipped kernel.
TEST(kernel_oops, iret_with_null_ss_faults_in_ring0_and_reports_an_oops) {
    const GuestRun* none = nullptr;
    RunSetup setup = edit_pt_regs([](PagedMemory& mem, uint64_t regs, const GuestRun*) {
        mem.write_value<uint64_t>(regs + PTREGS_SS, 0);  // also forces the IRET path
    }, none);
    GuestRun run = run_asm(asm_program(kRedirectable), setup);
    ASSERT_TRUE(run.ok()) << run.error;
    ASSERT_EQ(int(run.result.kind), int(RunResult::Kind::oops)) << describe(run);
    ASSERT_TRUE(run.result.fault.has_value());
    Machine& m = run.session->machine();
    uint64_t restore = m.kernel_symbol("swapgs_restore_regs_and_return_to_usermode");
    EXPECT_EQ(run.result.fault->cpl, 0u);
    EXPECT_EQ(run.result.fault->vector, x86::kGeneralProtection);
    EXPECT_GT(run.result.fault->rip, restore);
    EXPECT_LT(run.result.fault->rip, m.kernel_symbol("entry_INT80_compat"));
    uint8_t insn[2] = {};
    ASSERT_TRUE(m.kernel_memory().read(run.result.fault->rip, insn, 2));
    EXPECT_EQ(insn[0], 0x48) << "REX.W";
    EXPECT_EQ(insn[1], 0xcf) << "the fault is at the iretq";
    const std::string& report = run.result.detail;
    EXPECT_NE(report.find("kernel oops"), std::string::npos) << report;
    EXPECT_NE(report.find("#GP"), std::string::npos) << report;
    EXPECT_NE(report.find("<swapgs_restore_regs_and_return_to_usermode+"), std::string::npos) << report;
    EXPECT_NE(report.find("iretq"), std::string::npos) << report;
    ASSERT_FALSE(run.events.faults.empty());
    EXPECT_EQ(run.events.faults.back().signal, 0) << "a ring-0 fault sends no signal";
    EXPECT_EQ(run.events.faults.back().cpl, 0u);
    EXPECT_TRUE(run.events.exits.empty()) << "an oops does not exit the process";
}

}  // namespace
}  // namespace sysentry::test
