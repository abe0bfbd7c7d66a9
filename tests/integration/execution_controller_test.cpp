// The execution controller: single steps that hide the carrier, breakpoints,
// catchpoints, finish, and reverse execution that is exact (registers, user
// memory, the kernel stack and the model's view of the process).
#include <gtest/gtest.h>

#include <functional>

#include "support/guest.hpp"
#include "sysentry/execution_controller.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/process.hpp"
#include "sysentry/transition_model.hpp"

namespace sysentry::test {
namespace {

std::unique_ptr<ExecutionController> start(const fs::path& path, std::vector<std::string> args = {}) {
    std::vector<std::string> argv{path.filename().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto program = prepare_program(path, argv, {"HOME=/"});
    if (!program) throw std::runtime_error(program.error().message);
    auto c = ExecutionController::start(std::move(*program), {});
    if (!c) throw std::runtime_error(c.error());
    return std::move(*c);
}

std::unique_ptr<ExecutionController> start_asm(std::string_view source) {
    auto dir = temp_dir();
    auto path = write_file(dir.path() / "prog.s", source);
    return start(path);
}

RegisterFile regs(ExecutionController& c) { return c.session().kernel().transitions().registers(); }
uint64_t symbol(ExecutionController& c, std::string_view name) { return c.session().machine().kernel_symbol(name); }

// Everything a step could change: registers, every present user page, the
// kernel stack and per-CPU area, and the model's record of the process.
struct Snapshot {
    RegisterFile r;
    std::vector<uint8_t> user, kernel;
    uint64_t mapped = 0;
    std::string output;
    bool operator==(const Snapshot& o) const {
        return std::memcmp(&r, &o.r, sizeof r) == 0 && user == o.user && kernel == o.kernel && mapped == o.mapped;
    }
};

Snapshot snapshot(ExecutionController& c) {
    Snapshot s;
    s.r = regs(c);
    Process& p = *c.session().kernel().current();
    std::vector<uint8_t> page(4096);
    for (auto& [start, vma] : p.mm.areas()) {
        for (uint64_t va = vma.start; va < vma.end; va += 4096) {
            if (!p.mm.present(va)) continue;
            p.mm.read(va, page.data(), page.size());
            s.user.insert(s.user.end(), page.begin(), page.end());
        }
    }
    Machine& m = c.session().machine();
    auto kmem = m.kernel_memory();
    std::vector<uint8_t> kstack(kKernelStackSize);
    kmem.read(p.kernel_stack_top - kKernelStackSize, kstack.data(), kstack.size());
    s.kernel = kstack;
    kmem.read(m.percpu(), page.data(), page.size());
    s.kernel.insert(s.kernel.end(), page.begin(), page.end());
    s.mapped = p.mm.mapped_bytes();
    return s;
}

constexpr std::string_view kHello = R"(
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

TEST(ExecutionController, starts_at_the_entry_point_in_ring_3) {
    auto c = start_asm(kHello);
    RegisterFile r = regs(*c);
    EXPECT_EQ(r.cpl, 3u);
    EXPECT_EQ(c->position(), 0u);
    EXPECT_EQ(r.rip, c->session().kernel().current()->mm.find(r.rip) ? r.rip : 0);
    auto s = c->step();
    EXPECT_EQ(s.reason, StopReason::step);
    EXPECT_EQ(regs(*c).rax, 1u) << "the first instruction, movl $1, %eax, ran exactly once";
    EXPECT_EQ(regs(*c).rip, r.rip + 5);
}

TEST(ExecutionController, a_step_on_syscall_lands_on_entry_SYSCALL_64) {
    auto c = start_asm(kHello);
    c->step(4);
    uint64_t syscall_at = regs(*c).rip;
    c->step();
    RegisterFile r = regs(*c);
    EXPECT_EQ(r.rip, symbol(*c, "entry_SYSCALL_64"));
    EXPECT_EQ(r.cpl, 0u);
    EXPECT_EQ(r.rcx, syscall_at + 2);
    EXPECT_EQ(c->position(), 5u);
    // Through the stub: every stop is outside the carrier, and ring 3 comes back after the syscall.
    const uint64_t landing = symbol(*c, "sysentry_carrier_landing"), iret = symbol(*c, "sysentry_carrier_iret");
    int kernel_steps = 0;
    while (regs(*c).cpl == 0) {
        uint64_t rip = regs(*c).rip;
        EXPECT_NE(rip & ~0xfffull, kCarrierPage);
        EXPECT_NE(rip, landing);
        EXPECT_NE(rip, iret);
        c->step();
        ASSERT_LT(++kernel_steps, 200);
    }
    EXPECT_EQ(regs(*c).rip, syscall_at + 2);
    EXPECT_EQ(regs(*c).rax, 6u);
    EXPECT_EQ(c->take_output(), "hello\n");
}

TEST(ExecutionController, nexti_steps_over_a_whole_system_call) {
    auto c = start_asm(kHello);
    c->step(4);
    uint64_t syscall_at = regs(*c).rip;
    uint64_t before = c->position();
    c->next();
    EXPECT_EQ(regs(*c).rip, syscall_at + 2);
    EXPECT_EQ(regs(*c).cpl, 3u);
    EXPECT_GT(c->position(), before + 20) << "the entry stub's instructions are counted";
}

TEST(ExecutionController, breakpoints_catchpoints_and_finish) {
    auto c = start_asm(kHello);
    int bp = c->add_breakpoint(symbol(*c, "entry_SYSCALL_64"));
    Stop s = c->resume();
    EXPECT_EQ(s.reason, StopReason::breakpoint);
    EXPECT_EQ(s.number, bp);
    s = c->finish();
    EXPECT_EQ(s.reason, StopReason::user_mode);
    EXPECT_EQ(regs(*c).cpl, 3u);
    c->remove(bp);
    int cp = c->add_catch(60);
    s = c->resume();
    EXPECT_EQ(s.reason, StopReason::syscall_call);
    EXPECT_EQ(s.number, cp);
    EXPECT_EQ(regs(*c).rax, 60u);
    s = c->resume();
    EXPECT_EQ(s.reason, StopReason::ended);
    ASSERT_TRUE(s.result);
    EXPECT_EQ(s.result->kind, RunResult::Kind::exited);
    EXPECT_FALSE(c->alive());
}

// Stack stores, rt_sigaction, getpid, kill, a signal frame, the handler and
// rt_sigreturn: 200 steps cross ring 3 and ring 0 several times.
constexpr std::string_view kSignalRoundTrip = R"(
	.globl _start
_start:
	subq $32, %rsp
	leaq handler(%rip), %rax
	movq %rax, 0(%rsp)
	movq $0x04000000, 8(%rsp)
	leaq restorer(%rip), %rax
	movq %rax, 16(%rsp)
	movq $0, 24(%rsp)
	movl $13, %eax
	movl $10, %edi
	movq %rsp, %rsi
	xorl %edx, %edx
	movl $8, %r10d
	syscall
	movl $39, %eax
	syscall
	movl %eax, %edi
	movl $62, %eax
	movl $10, %esi
	syscall
	movl $60, %eax
	movl $7, %edi
	syscall
handler:
	pushq %rbx
	popq %rbx
	ret
restorer:
	movl $15, %eax
	syscall
)";

TEST(ExecutionController, reverse_execution_is_exact_register_for_register_and_memory) {
    auto c = start_asm(kSignalRoundTrip);
    constexpr int kSteps = 200;
    std::vector<Snapshot> forward;
    forward.push_back(snapshot(*c));
    for (int i = 0; i < kSteps; ++i) {
        c->step();
        forward.push_back(snapshot(*c));
    }
    ASSERT_EQ(c->position(), uint64_t(kSteps));
    for (int i = kSteps - 1; i >= 0; --i) {
        c->reverse_step();
        ASSERT_EQ(c->position(), uint64_t(i));
        Snapshot now = snapshot(*c);
        const Snapshot& then = forward[size_t(i)];
        ASSERT_TRUE(now == then) << "state differs after rsi back to " << i << ": registers "
                                 << (std::memcmp(&now.r, &then.r, sizeof now.r) == 0) << " user memory "
                                 << (now.user == then.user) << " (" << now.user.size() << " vs " << then.user.size()
                                 << " bytes) kernel " << (now.kernel == then.kernel) << " mapped "
                                 << (now.mapped == then.mapped);
    }
}

TEST(ExecutionController, reverse_execution_through_a_system_call_restores_the_model) {
    auto c = start_asm(kHello);
    c->step(4);
    c->next();  // write(1, "hello\n", 6) done
    Snapshot after_write = snapshot(*c);
    uint64_t at = c->position();
    EXPECT_EQ(c->take_output(), "hello\n");
    c->reverse_step(at - 2);
    EXPECT_EQ(c->position(), 2u);
    c->step(at - 2);
    EXPECT_TRUE(snapshot(*c) == after_write);
    EXPECT_EQ(c->take_output(), "") << "output already shown is not shown again";
    Stop s = c->resume();
    EXPECT_EQ(s.reason, StopReason::ended);
    // Back from the end, to the last breakpoint hit.
    c->add_breakpoint(symbol(*c, "entry_SYSCALL_64"));
    s = c->reverse_resume();
    EXPECT_EQ(s.reason, StopReason::breakpoint);
    EXPECT_EQ(regs(*c).rip, symbol(*c, "entry_SYSCALL_64"));
    EXPECT_EQ(regs(*c).rax, 60u) << "the last SYSCALL was exit";
    EXPECT_TRUE(c->alive());
}

}  // namespace
}  // namespace sysentry::test
