// The stepper's commands and transition cards, driven in-process the way the
// CLI drives them. Each test checks what a student would read off the screen
// against the machine's actual state.
#include <gtest/gtest.h>

#include "support/guest.hpp"
#include "sysentry/execution_controller.hpp"
#include "sysentry/stepper.hpp"
#include "sysentry/transition_model.hpp"

namespace sysentry::test {
namespace {

struct Stepping {
    ScratchRoot dir = temp_dir();
    std::unique_ptr<ExecutionController> controller;
    ElfImage image;
    std::unique_ptr<Stepper> stepper;

    explicit Stepping(std::string_view source) {
        auto path = write_file(dir.path() / "prog.s", source);
        auto program = prepare_program(path, {"prog"}, {"HOME=/"});
        if (!program) throw std::runtime_error(program.error().message);
        image = program->image;
        auto c = ExecutionController::start(std::move(*program), {});
        if (!c) throw std::runtime_error(c.error());
        controller = std::move(*c);
        stepper = std::make_unique<Stepper>(*controller, image);
    }
    std::string operator()(std::string_view command) { return stepper->execute(command); }
    RegisterFile regs() { return controller->session().kernel().transitions().registers(); }
    uint64_t ksym(std::string_view name) { return controller->session().machine().kernel_symbol(name); }
    // stepi until the instruction at RIP has this mnemonic (or give up).
    std::string step_to(std::string_view mnemonic, int limit = 200) {
        std::string all;
        for (int i = 0; i < limit; ++i) {
            std::string out = (*this)("x/i $rip");
            if (out.find(std::string("\t") + std::string(mnemonic)) != std::string::npos) return all;
            all += (*this)("si");
        }
        throw std::runtime_error(fmt::format("no {} within {} steps", mnemonic, limit));
    }
};

constexpr std::string_view kWrite = R"(
	.globl _start
_start:
	movl $1, %eax
	movl $1, %edi
	leaq msg(%rip), %rsi
	movl $6, %edx
	syscall
	movl $60, %eax
	xorl %edi, %edi
	syscall
msg:	.ascii "hello\n"
)";

bool has(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

TEST(Stepper, every_stop_shows_the_ring_symbols_and_changed_registers) {
    Stepping s(kWrite);
    std::string out = s("si");
    EXPECT_TRUE(has(out, "[user] #1")) << out;
    EXPECT_TRUE(has(out, "<_start+5>")) << out;
    EXPECT_TRUE(has(out, "changed: rax=0x1")) << out;
    out = s("si 4");
    EXPECT_TRUE(has(out, "[kernel] #5")) << out;
    EXPECT_TRUE(has(out, "=> 0x" ) && has(out, "<entry_SYSCALL_64>:\tswapgs")) << out;
}

TEST(Stepper, the_syscall_card_explains_each_register) {
    Stepping s(kWrite);
    s("si 4");
    RegisterFile user = s.regs();
    std::string out = s("si");
    EXPECT_TRUE(has(out, "== SYSCALL: ring 3 -> ring 0 ==")) << out;
    EXPECT_TRUE(has(out, "0x33 -> 0x10") && has(out, "STAR[47:32] = 0x10")) << out;
    EXPECT_TRUE(has(out, "0x2b -> 0x18") && has(out, "STAR[47:32] + 8 = 0x18")) << out;
    EXPECT_TRUE(has(out, fmt::format("{:#x} <entry_SYSCALL_64>", s.ksym("entry_SYSCALL_64")))) << out;
    EXPECT_TRUE(has(out, fmt::format("<- {:#x}", user.rip + 2))) << "RCX: the return address\n" << out;
    EXPECT_TRUE(has(out, fmt::format("<- {:#x}", user.rflags))) << "R11: the user's RFLAGS\n" << out;
    EXPECT_TRUE(has(out, "SYSCALL_MASK 0x47700 cleared: IF")) << out;
}

TEST(Stepper, dispatch_is_one_step_naming_the_service_and_its_result) {
    Stepping s(kWrite);
    s("si 5");
    s.step_to("outb");
    EXPECT_TRUE(has(s("x/i $rip"), "# dispatch: do_syscall_64"));
    std::string out = s("si");
    EXPECT_TRUE(has(out, "dispatch -> C++ service: write(1, \"hello\\n\", 6)")) << out;
    EXPECT_TRUE(has(out, "= 6")) << out;
    EXPECT_TRUE(has(out, "hello\n")) << "the guest's output appears when it is written\n" << out;
    EXPECT_EQ(s.regs().cpl, 0u);
    out = s("info syscall");
    EXPECT_TRUE(has(out, "write (x86-64 nr 1)")) << out;
    EXPECT_TRUE(has(out, "served: write(1, \"hello\\n\", 6)")) << out;
}

TEST(Stepper, the_sysret_card_and_the_return_to_the_next_user_instruction) {
    Stepping s(kWrite);
    s("si 4");
    uint64_t back_at = s.regs().rip + 2;
    s("si");
    s.step_to("sysretq");
    std::string out = s("si");
    EXPECT_TRUE(has(out, "== SYSRET: ring 0 -> ring 3 ==")) << out;
    EXPECT_TRUE(has(out, "0x10 -> 0x33") && has(out, "STAR[63:48] + 16 | 3 = 0x23 + 16 | 3")) << out;
    EXPECT_TRUE(has(out, "(R11 & 0x3c7fd7) | 2")) << out;
    EXPECT_TRUE(has(out, "[user]")) << out;
    EXPECT_EQ(s.regs().rip, back_at);
    EXPECT_EQ(s.regs().rax, 6u);
}

TEST(Stepper, info_ring_decodes_cs_and_ss_from_the_gdt) {
    Stepping s(kWrite);
    std::string out = s("info ring");
    EXPECT_TRUE(has(out, "CPL 3 (user)")) << out;
    EXPECT_TRUE(has(out, "CS = 0x0033: GDT[6], RPL 3")) << out;
    EXPECT_TRUE(has(out, "SS = 0x002b: GDT[5], RPL 3")) << out;
    s("si 5");
    out = s("info ring");
    EXPECT_TRUE(has(out, "CPL 0 (kernel)")) << out;
    EXPECT_TRUE(has(out, "CS = 0x0010: GDT[2], RPL 0")) << out;
    EXPECT_TRUE(has(out, "SS = 0x0018: GDT[3], RPL 0")) << out;
}

TEST(Stepper, info_msr_gdt_and_tss_read_the_machine) {
    Stepping s(kWrite);
    std::string out = s("info msr");
    EXPECT_TRUE(has(out, "STAR         = 0x0023001000000000")) << out;
    EXPECT_TRUE(has(out, "LSTAR") && has(out, "entry_SYSCALL_64")) << out;
    EXPECT_TRUE(has(out, "SYSCALL_MASK = 0x0000000000047700")) << out;
    EXPECT_TRUE(has(out, "KERNEL_GS_BASE")) << out;
    out = s("info gdt");
    EXPECT_TRUE(has(out, "USER_CS") && has(out, "KERNEL_DS") && has(out, "TSS")) << out;
    out = s("info tss");
    EXPECT_TRUE(has(out, "RSP0 = 0xffffc9")) << out;
}

TEST(Stepper, info_pt_regs_follows_the_pushes_of_the_entry_stub) {
    Stepping s(kWrite);
    EXPECT_TRUE(has(s("info pt_regs"), "No pt_regs: the task is in ring 3"));
    s("si 4");
    uint64_t user_rip = s.regs().rip;
    s("si 5");  // SYSCALL, swapgs, park RSP, switch stacks, push ss
    std::string out = s("info pt_regs");
    EXPECT_TRUE(has(out, "ss       0x000000000000002b\n")) << out;
    EXPECT_TRUE(has(out, "orig_ax  0x0000000000000000  (not on the stack now")) << out;
    s.step_to("outb");
    out = s("info pt_regs");
    EXPECT_TRUE(has(out, "orig_ax  0x0000000000000001\n")) << out;
    EXPECT_TRUE(has(out, fmt::format("ip       {:#018x}\n", user_rip + 2))) << out;
    EXPECT_TRUE(has(out, "ax       0xffffffffffffffda\n")) << "-ENOSYS until the service answers\n" << out;
}

TEST(Stepper, info_syscall_and_proc_syscall_before_and_inside_the_call) {
    Stepping s(kWrite);
    s("si 4");
    RegisterFile u = s.regs();
    EXPECT_TRUE(has(s("info syscall"), "About to call write (rax = 1)"));
    EXPECT_TRUE(has(s("info proc syscall"), fmt::format("/proc/1000/syscall: -1 {:#x} {:#x}\n", u.rsp, u.rip)));
    s("si");
    s.step_to("outb");
    EXPECT_TRUE(has(s("info syscall"), "the entry stub has not dispatched"));
    std::string out = s("info proc syscall");
    EXPECT_TRUE(has(out, fmt::format("1 0x1 {:#x} 0x6 0x0 0x0 0x0 {:#x} {:#x}\n", u.rsi, u.rsp, u.rip + 2))) << out;
}

TEST(Stepper, breakpoints_by_symbol_catchpoints_and_reverse) {
    Stepping s(kWrite);
    EXPECT_TRUE(has(s("break entry_SYSCALL_64+3"), "Breakpoint 1 at"));
    EXPECT_TRUE(has(s("catch syscall exit"), "Catchpoint 2 (syscall 'exit' [60])"));
    std::string out = s("c");
    EXPECT_TRUE(has(out, "Breakpoint 1, [kernel]")) << "the write's entry\n" << out;
    out = s("c");
    EXPECT_TRUE(has(out, "Catchpoint 2 (call to syscall exit), [user]")) << out;
    const uint64_t at_exit = s.controller->position();
    out = s("c");
    EXPECT_TRUE(has(out, "Breakpoint 1, [kernel]")) << "the exit's entry\n" << out;
    out = s("info breakpoints");
    EXPECT_TRUE(has(out, "breakpoint already hit 2 times")) << out;
    out = s("rsi 3");
    EXPECT_EQ(s.controller->position(), at_exit + 2 - 3) << "the breakpoint is SYSCALL + 2 instructions\n" << out;
    EXPECT_TRUE(has(out, "=> 0x40101d <_start+29>")) << "back before xorl %edi, %edi\n" << out;
    s("delete 1");
    out = s("c");
    EXPECT_TRUE(has(out, "Catchpoint 2 (call to syscall exit), [user]")) << out;
    out = s("c");
    EXPECT_TRUE(has(out, "[program exited with code 0]")) << out;
    EXPECT_TRUE(has(s("si"), "The program is not being run."));
}

TEST(Stepper, bad_commands_give_one_line_errors) {
    Stepping s(kWrite);
    EXPECT_EQ(s("frobnicate"), "Undefined command: \"frobnicate\".  Try \"help\".\n");
    EXPECT_EQ(s("break nosuchsymbol"), "No symbol \"nosuchsymbol\" in the program or the guest kernel.\n");
    EXPECT_EQ(s("si -3"), "error: '-3' is not a positive count\n");
    EXPECT_EQ(s("x/4xg 0x10"), "Cannot access memory at address 0x10\n");
    EXPECT_EQ(s("catch syscall nosuchcall"), "Unknown syscall name 'nosuchcall'.\n");
    EXPECT_TRUE(has(s("info registers rax rip"), "rax            0x0"));
}

// kill(getpid(), SIGUSR1) with a handler: the kernel builds a frame and returns
// to the handler by IRET (pt_regs->ip changed); the handler's rt_sigreturn
// comes back by IRET too.
constexpr std::string_view kSignal = R"(
	.globl _start
_start:
	subq $32, %rsp
	leaq handler(%rip), %rax
	movq %rax, 0(%rsp)		# sa_handler
	movq $0x04000000, 8(%rsp)	# SA_RESTORER
	leaq restorer(%rip), %rax
	movq %rax, 16(%rsp)		# sa_restorer
	movq $0, 24(%rsp)		# sa_mask
	movl $13, %eax			# rt_sigaction(SIGUSR1, &act, NULL, 8)
	movl $10, %edi
	movq %rsp, %rsi
	xorl %edx, %edx
	movl $8, %r10d
	syscall
	movl $39, %eax			# getpid
	syscall
	movl %eax, %edi
	movl $62, %eax			# kill(pid, SIGUSR1)
	movl $10, %esi
	syscall
after_kill:
	movl $60, %eax
	movl $7, %edi
	syscall
handler:
	ret
restorer:
	movl $15, %eax			# rt_sigreturn
	syscall
)";

TEST(Stepper, signal_delivery_has_its_card_and_returns_by_iret) {
    Stepping s(kSignal);
    s("catch syscall kill");
    s("c");
    s("si");
    std::string out = s("finish");
    EXPECT_TRUE(has(out, "Catchpoint 1 (returned from syscall kill), [user]")) << out;
    EXPECT_TRUE(has(out, "=> 0x401065 <handler>")) << out;
    EXPECT_TRUE(has(out, "== SIGNAL SIGUSR1")) << out;
    EXPECT_TRUE(has(out, "<handler>")) << out;
    EXPECT_TRUE(has(out, "resumes at") && has(out, "<after_kill>")) << out;
    EXPECT_TRUE(has(out, "[IRET: ring 0 -> ring 3")) << out;
    EXPECT_EQ(s.regs().rdi, 10u) << "the handler's first argument: SIGUSR1";
    // The same return, stepped: the full IRET card says why SYSRET was not used.
    out = s("rsi");
    EXPECT_TRUE(has(out, "iretq")) << out;
    out = s("si");
    EXPECT_TRUE(has(out, "== IRET: ring 0 -> ring 3 ==")) << out;
    EXPECT_TRUE(has(out, "why not SYSRET: pt_regs->ip != pt_regs->cx")) << out;
    EXPECT_TRUE(has(out, "<handler>")) << out;
    out = s("c");
    EXPECT_TRUE(has(out, "[program exited with code 7]")) << out;
}

TEST(Stepper, int80_enters_through_the_idt_and_returns_by_iret) {
    Stepping s(R"(
	.globl _start
_start:
	movl $20, %eax		# i386 getpid
	int $0x80
	movl $60, %eax
	xorl %edi, %edi
	syscall
)");
    s("si");
    std::string out = s("si");
    EXPECT_TRUE(has(out, "== INT 0x80: ring 3 -> ring 0 through the IDT ==")) << out;
    EXPECT_TRUE(has(out, "<entry_INT80_compat>")) << out;
    EXPECT_TRUE(has(out, "an interrupt gate cleared: IF")) << out;
    s.step_to("iretq");
    out = s("si");
    EXPECT_TRUE(has(out, "why not SYSRET: the call came in by int $0x80")) << out;
    EXPECT_EQ(s.regs().rax, 1000u);
}

TEST(Stepper, a_ring_3_fault_has_its_card) {
    Stepping s(R"(
	.globl _start
_start:
	movq 0x10, %rax
)");
    std::string out = s("si");
    EXPECT_TRUE(has(out, "== FAULT: #PF (page fault) in ring 3")) << out;
    EXPECT_TRUE(has(out, "CR2 = 0x10")) << out;
    EXPECT_TRUE(has(out, "SIGSEGV (SEGV_MAPERR, si_addr 0x10)")) << out;
    EXPECT_TRUE(has(out, "[program terminated with signal SIGSEGV]")) << out;
}

}  // namespace
}  // namespace sysentry::test
