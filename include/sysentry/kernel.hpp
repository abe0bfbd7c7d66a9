// The simulated Linux kernel: boots the guest kernel stubs, owns processes,
// serves system calls from the dispatch instruction, and turns faults into
// signals or oopses. Tools watch it through the EventBus only.
#pragma once
#include <cstdint>
#include <chrono>
#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sysentry/vdso.hpp"
#include "sysentry/dispatcher.hpp"
#include "sysentry/elf_image.hpp"
#include "sysentry/events.hpp"
#include "sysentry/process.hpp"
#include "sysentry/pt_regs.hpp"
#include "sysentry/sandbox_fs.hpp"
#include "sysentry/services.hpp"
#include "sysentry/transition_model.hpp"

namespace sysentry {

class Machine;

struct KernelConfig {
    bool deterministic = false;     // fixed clock, random bytes and hostname-independent output
    std::string hostname = "sysentry";
    int max_processes = 256;              // fork beyond it: EAGAIN (a fork bomb stops here)
    uint64_t memory_limit = 4ull << 30;   // address space per process, as RLIMIT_AS: ENOMEM beyond
};

struct Program {
    std::vector<uint8_t> bytes;     // the ELF file
    ElfImage image;
    std::string guest_path;         // what /proc/self/exe and AT_EXECFN say
    std::vector<std::string> argv, envp;
    std::array<int, 3> stdio = {0, 1, 2};  // host fds the guest gets (copies of) as 0, 1, 2
};

struct RunLimits {
    uint64_t timeout_us = 0;        // wall clock; 0 = none
};

struct RunResult {
    enum class Kind { exited, killed, oops, limit, paused, engine_error } kind;
    int exit_code = 0;              // exited
    int signal = 0;                 // killed
    std::optional<Fault> fault;     // killed by a fault, or oops
    std::string detail;             // oops report, engine error text
};

// What load_program leaves: the user entry RIP and RSP, and execve's arguments.
struct UserEntry {
    uint64_t rip, rsp;
    uint64_t execfn, argv, envp;  // where execve's arguments now live, for the trace
};

class Kernel final : public SyscallDispatcher {
public:
    Kernel(Machine& machine, EventBus& events, SandboxFs fs, KernelConfig config = {});
    ~Kernel() override;

    // Creates the first process from `program` (execve's work, without a caller).
    std::expected<void, std::string> spawn(const Program& program);
    // Boots (startup_64, syscall_init, IRET to the entry point) and stops at the
    // program's first instruction, in ring 3. run() boots first if needed.
    RunResult boot();
    RunResult run(const RunLimits& limits = {});
    // From a tool's hook: run() returns Kind::paused as soon as the engine stops
    // (the grader's instruction limit). The current block may finish first.
    void request_pause();

    Machine& machine() { return machine_; }
    TransitionModel& transitions() { return transitions_; }
    const Dispatcher& dispatcher() const { return dispatcher_; }
    const SandboxFs& fs() const { return fs_; }
    const KernelConfig& config() const { return config_; }
    Process* current() { return current_; }

    // Services call these.
    void exit_process(Process& p, ProcessExit how);
    Process* find(int pid);
    std::vector<Process*> children_of(int pid);
    std::vector<Process*> processes();
    void reap(int pid);  // a zombie's last remains go
    // fork/vfork/clone without CLONE_VM: the child's pid, or -errno.
    int64_t fork(Process& parent, const PtRegs& regs, uint64_t clone_flags, uint64_t parent_tid,
                 uint64_t child_tid, uint64_t stack = 0);
    struct ThreadArgs {
        uint64_t flags, stack, parent_tid, child_tid, tls;
    };
    // clone with CLONE_VM|CLONE_THREAD: the new task's id, or -errno.
    int64_t spawn_thread(Process& parent, const PtRegs& regs, const ThreadArgs& args);
    // exit_group: every task of `p`'s thread group ends.
    void exit_group(Process& p, ProcessExit how);
    // futex: wake up to `count` tasks of `space` waiting on `word`.
    int wake_futex(const AddressSpace& space, uint64_t word, int count);
    // execve's second half: `p` now runs `program`; -errno before the point of no return.
    int64_t exec(Process& p, PtRegs& regs, Program program);
    // A signal's default action, when it is to terminate.
    void kill_process(Process& p, int signal);
    // A signal from the kernel itself (SIGALRM, with si_code SI_KERNEL): pending, taken when it can be.
    void raise_signal(Process& p, int signal, int code);
    void warn(std::string text);
    int64_t now_ns(int clock) const;  // a clock_gettime clock, deterministic when configured
    void advance_virtual_time(int64_t ns) { if (ns > 0) virtual_ns_ += ns; }  // a deterministic sleep
    void yield() { request_switch(); }  // sched_yield: let the other runnable tasks go first
    void fill_random(void* buf, size_t len);

    // SyscallDispatcher
    void do_syscall_64(uint64_t regs, int64_t nr) override;
    void do_int80_syscall_32(uint64_t regs, uint32_t nr) override;
    bool user_page_fault(uint64_t address) override;

private:
    struct PendingCall {
        SyscallAbi abi;
        int64_t nr;
        std::string_view name;
        std::array<uint64_t, 6> args;
    };
    void dispatch(uint64_t regs_va, PtRegs& regs, SyscallAbi abi, int64_t nr,
                  const std::array<uint64_t, 6>& args);
    void complete(Process& p, PtRegs& regs, const PendingCall& call, int64_t ret,
                  std::optional<SyscallContext::Exit> exit);
    void deliver_pending(Process& p, PtRegs& regs);
    void publish_delivery(const Process& p, const PtRegs& regs, int sig, uint64_t resume_at);
    void publish_signal(const Process& p, int sig);
    bool retry_blocked(Process& p);
    void end_blocked_call(Process& p);
    int64_t interrupt(Process& p, PtRegs& regs, const PendingCall& call, int sig);
    static int64_t restart_code(std::string_view name);
    int64_t monotonic_now() const;
    void publish_vvar(Process& p);
    void fire_timers();
    void deliver_now(Process& p);
    uint64_t until_next_timer(uint64_t budget_us) const;
    bool skip_to_next_deadline();
    bool deliver_fault_to_handler(Process& p, const Fault& f, int sig);
    PtRegs* pt_regs_at(uint64_t regs);
    void bad_regs(uint64_t regs);
    std::optional<RunResult> init_result() const;
    enum class Scheduled { switched, deadlock, timed_out };
    Scheduled schedule(std::chrono::steady_clock::time_point deadline, bool has_deadline);
    void block(Process& p, std::function<std::optional<int64_t>()> retry);
    void request_switch();
    void start_child(Process& t, const PtRegs& regs, uint64_t kstack, uint64_t stack);
    void publish_tids(Process& parent, Process& child, uint64_t flags, uint64_t parent_tid, uint64_t child_tid);
    void notify_parent(const Process& child, const ProcessExit& how);
    uint8_t* need_resched();
    std::optional<RunResult> handle_fault(const Fault& f);
    void switch_to(Process& p);
    void publish_exec(Process& p, const UserEntry& e);
    void prepare_boot();
    static void on_user_entry(uc_engine*, uint64_t, uint32_t, void*);
    std::string oops_report(const Fault& f);

    Machine& machine_;
    EventBus& events_;
    SandboxFs fs_;
    KernelConfig config_;
    Dispatcher dispatcher_;
    TransitionModel transitions_;
    std::map<int, std::unique_ptr<Process>> processes_;
    Process* current_ = nullptr;
    std::set<std::string> warned_;
    uint64_t random_state_ = 0x5eed5eed5eed5eedull;
    int64_t virtual_ns_ = 0;
    VvarClock vvar_clock_;  // the vDSO's clocks
    std::optional<Fault> last_fault_;
    std::vector<std::pair<int, int>> saved_stdio_flags_;  // host fd, its F_GETFL at spawn
    bool booted_ = false;
    uint64_t user_entry_ = 0;
    bool pause_requested_ = false;
    bool switch_requested_ = false;
    int init_pid_ = 0, next_pid_ = 0;
};

// Loads `program` into `p`: VMAs for the segments, the stack with argv/envp/auxv, the break.
std::expected<UserEntry, std::string> load_program(Kernel& kernel, Process& p, const Program& program);

}  // namespace sysentry
