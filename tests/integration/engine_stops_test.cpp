// Stops of the engine at any moment must leave a run exactly as it would have
// been without them: a debugger's stop before an instruction (the carrier's
// own instructions included), and a watchdog's stop from another thread,
// which once let the carrier landing's ud2 run for real (docs/carrier.md,
// items 11-13 and 16).
#include <gtest/gtest.h>

#include <sys/prctl.h>

#include <atomic>
#include <set>
#include <thread>

#include "sysentry/elf_image.hpp"
#include "sysentry/machine.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// write, getpid, a first store to .bss (demand paging: a fault and a retry),
// getpid through int $0x80 (the carrier's other user), then exit(7).
constexpr std::string_view kRoundTrips = R"(
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$3, %edx
	syscall
	movl	$39, %eax
	syscall
	movq	%rax, word(%rip)
	movl	$20, %eax
	int	$0x80
	cmpq	word(%rip), %rax
	jne	1f
	exit_imm 7
1:	exit_imm 1
	.data
msg:	.ascii	"hi\n"
	.bss
	.balign	4096
	.skip	8192
word:	.quad	0
)";

enum class StopKind {
    none,
    pause,  // as the stepper does: Kernel::run returns, the caller runs again
    bare,   // as a watchdog's early stop does: Kernel::run resumes by itself
};

// Stops the engine once before every instruction it reaches. Resuming hooks
// the same address again (item 12); that call, and a retry of the instruction
// after a fault (item 13), go through without a stop.
class StopBeforeEveryInstruction {
public:
    explicit StopBeforeEveryInstruction(StopKind kind) : kind_(kind) {}

    void attach(Machine& m) {
        cpu_ = &m.cpu();
        hook_ = m.cpu().hook_code(on_instruction, this, 1, 0);
    }
    void bind(Kernel& k) { kernel_ = &k; }

    const std::set<uint64_t>& stopped_at() const { return stopped_at_; }
    uint64_t stops() const { return stops_; }

private:
    static void on_instruction(uc_engine*, uint64_t address, uint32_t, void* user) {
        auto& s = *static_cast<StopBeforeEveryInstruction*>(user);
        if (s.kind_ == StopKind::none || !s.kernel_) return;
        if (std::exchange(s.refire_, false)) {
            s.last_ = address;
            return;
        }
        if (address == s.last_) return;
        s.refire_ = true;
        s.last_ = 0;
        ++s.stops_;
        s.stopped_at_.insert(address);
        if (s.kind_ == StopKind::pause) s.kernel_->request_pause();
        else s.cpu_->stop();
    }

    StopKind kind_;
    Cpu* cpu_ = nullptr;
    Kernel* kernel_ = nullptr;
    Hook hook_;
    bool refire_ = false;
    uint64_t last_ = 0;
    uint64_t stops_ = 0;
    std::set<uint64_t> stopped_at_;
};

struct StoppedRun {
    GuestRun run;
    uint64_t stops = 0;
    std::set<uint64_t> stopped_at;
};

StoppedRun run_with_stops(StopKind kind) {
    StoppedRun r;
    ScratchRoot dir = temp_dir("sysentry-stops");
    auto program = prepare_program(write_file(dir.path() / "prog.s", asm_program(kRoundTrips)), {"prog"}, {});
    if (!program) {
        r.run.error = program.error().message;
        return r;
    }
    StopBeforeEveryInstruction stopper(kind);
    SessionOptions so;
    so.kernel.deterministic = true;
    so.before_kernel = [&](Machine& m) { stopper.attach(m); };
    auto session = Session::create(so);
    if (!session) {
        r.run.error = session.error();
        return r;
    }
    r.run.session = std::move(*session);
    Session& s = *r.run.session;
    int in = make_memfd("guest-stdin"), out = make_memfd("guest-stdout"), err = make_memfd("guest-stderr");
    program->stdio = {in, out, err};
    Recorder recorder(r.run.events, nullptr);
    s.events().subscribe(&recorder);
    if (auto spawned = s.kernel().spawn(*program); !spawned) {
        r.run.error = "spawn: " + spawned.error();
    } else {
        stopper.bind(s.kernel());
        do r.run.result = s.kernel().run({kGuestTimeoutUs});
        while (r.run.result.kind == RunResult::Kind::paused);
    }
    s.events().unsubscribe(&recorder);
    r.run.out = read_memfd(out);
    r.run.err = read_memfd(err);
    for (int fd : {in, out, err}) close(fd);
    r.stops = stopper.stops();
    r.stopped_at = stopper.stopped_at();
    return r;
}

std::vector<std::string> syscall_names(const GuestRun& r) {
    std::vector<std::string> names;
    for (auto& s : r.events.syscalls) names.push_back(s.name);
    return names;
}

std::vector<TransitionKind> transition_kinds(const GuestRun& r) {
    std::vector<TransitionKind> kinds;
    for (auto& t : r.events.transitions) kinds.push_back(t.kind);
    return kinds;
}

void expect_stops_change_nothing(StopKind kind) {
    StoppedRun free = run_with_stops(StopKind::none);
    ASSERT_TRUE(free.run.exited(7)) << describe(free.run);
    ASSERT_EQ(free.run.out, "hi\n");
    StoppedRun stopped = run_with_stops(kind);
    ASSERT_TRUE(stopped.run.exited(7)) << describe(stopped.run);
    EXPECT_EQ(stopped.run.out, "hi\n");
    EXPECT_EQ(syscall_names(stopped.run), syscall_names(free.run));
    EXPECT_EQ(transition_kinds(stopped.run), transition_kinds(free.run)) << describe(stopped.run.events.transitions);
    EXPECT_TRUE(stopped.run.events.faults.empty());
    // Every instruction of both entries was a stopping point, the carrier's included.
    Machine& m = stopped.run.session->machine();
    for (const char* name : {"sysentry_carrier_call", "sysentry_carrier_landing", "sysentry_carrier_iret",
                             "entry_SYSCALL_64", "entry_INT80_compat"})
        EXPECT_TRUE(stopped.stopped_at.contains(m.kernel_symbol(name))) << name;
    EXPECT_GT(stopped.stops, 100u);
}

TEST(engine_stop, a_pause_before_any_instruction_of_the_entry_and_return_paths_changes_nothing) {
    expect_stops_change_nothing(StopKind::pause);
}

TEST(engine_stop, a_bare_stop_before_any_instruction_of_the_entry_and_return_paths_changes_nothing) {
    expect_stops_change_nothing(StopKind::bare);
}

// ---- stops from another thread ------------------------------------------

// Asks for a stop from its own thread every few microseconds, as the timeout
// watchdog does (every millisecond) once the deadline has passed.
class StopStorm {
public:
    explicit StopStorm(Cpu& cpu)
        : thread_([this, &cpu](std::stop_token done) {
              prctl(PR_SET_TIMERSLACK, 1);  // sleeps of microseconds, not the default 50
              while (!done.stop_requested()) {
                  cpu.stop_from_another_thread();
                  ++sent_;
                  std::this_thread::sleep_for(std::chrono::microseconds(2));
              }
          }) {}
    uint64_t sent() const { return sent_; }

private:
    std::atomic<uint64_t> sent_{0};
    std::jthread thread_;
};

// The built-in kernel with `syscall` as the first instruction of
// entry_SYSCALL_64: ring 0 loops through SYSCALL, the carrier and its hooks.
std::vector<uint8_t> kernel_looping_through_syscall() {
    auto kernel = builtin_kernel_elf();
    std::vector<uint8_t> patched(kernel.begin(), kernel.end());
    auto image = parse_elf(kernel, ElfTarget::kernel);
    const ElfSymbol* entry = image ? find_symbol(*image, "entry_SYSCALL_64") : nullptr;
    if (!entry) return {};
    for (const ElfSegment& seg : image->loads)
        if (entry->value >= seg.vaddr && entry->value + 2 <= seg.vaddr + seg.filesz) {
            patched[seg.file_offset + (entry->value - seg.vaddr)] = 0x0f;  // syscall
            patched[seg.file_offset + (entry->value - seg.vaddr) + 1] = 0x05;
        }
    return patched;
}

// With uc_emu_stop called from the storm's thread, 6 of 8 of these runs ended
// in a kernel oops (#UD: the carrier landing's ud2 ran without its hook). The
// kernel loops through the carrier without a chained block, so the stale RIP
// of fact 17 cannot arise and the run loop resumes safely after each stop.
TEST(engine_stop, stops_from_another_thread_never_skip_the_carrier_landing) {
    ScratchRoot dir = temp_dir("sysentry-stops");
    auto program = prepare_program(write_file(dir.path() / "prog.s", "\t.globl _start\n_start:\tsyscall\n1:\tjmp 1b\n"),
                                   {"prog"}, {});
    ASSERT_TRUE(program.has_value()) << program.error().message;
    SessionOptions so;
    so.kernel_elf = kernel_looping_through_syscall();
    ASSERT_FALSE(so.kernel_elf->empty());
    auto session = Session::create(so);
    ASSERT_TRUE(session.has_value()) << session.error();
    Kernel& kernel = (*session)->kernel();
    ASSERT_TRUE(kernel.spawn(*program).has_value());
    StopStorm storm((*session)->machine().cpu());
    RunResult r = kernel.run({300'000 * kSlowdown});
    EXPECT_EQ(int(r.kind), int(RunResult::Kind::limit)) << r.detail;
    EXPECT_GT(storm.sent(), 100u);
}

}  // namespace
}  // namespace sysentry::test
