#include "sysentry/kernel.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fmt/format.h>

#include "sysentry/disassembler.hpp"
#include "sysentry/exceptions.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/machine.hpp"
#include "sysentry/signal_delivery.hpp"

namespace sysentry {

using namespace x86;

constexpr int kFirstPid = 1000;
constexpr uint64_t kUserInitialFlags = kFlagIf;  // start_thread: IF set, bit 1 reads as 1
// The deterministic clock starts at 2025-01-01T00:00:00Z and moves 1 µs per reading.
constexpr int64_t kDeterministicEpochNs = 1735689600ll * 1000000000;

Kernel::Kernel(Machine& machine, EventBus& events, SandboxFs fs, KernelConfig config)
    : machine_(machine), events_(events), fs_(std::move(fs)), config_(std::move(config)),
      transitions_(machine, events, *this) {}

// The guest's fds 0-2 share open file descriptions with ours (the user's
// terminal): put back any O_NONBLOCK or O_APPEND the guest set on them.
Kernel::~Kernel() {
    for (auto [fd, flags] : saved_stdio_flags_) fcntl(fd, F_SETFL, flags);
}

AddressSpace& SyscallContext::mm() const { return process.mm; }
Cpu& SyscallContext::cpu() const { return kernel.machine().cpu(); }

// Guest fds 0-2 are copies of ours: closing them in the guest leaves sysentry's own stdio alone.
static void install_stdio(FdTable& fds, const std::array<int, 3>& host) {
    for (int fd = 0; fd < 3; ++fd) {
        int flags = fcntl(host[fd], F_GETFL);
        if (flags < 0) continue;
        int copy = fcntl(host[fd], F_DUPFD_CLOEXEC, 3);
        if (copy < 0) continue;
        fds.install_at(fd, std::make_shared<OpenFile>(copy, flags, ""), false);
    }
}

std::expected<void, std::string> Kernel::spawn(const Program& program) {
    auto mm = AddressSpace::create(machine_.cpu(), machine_.ram(), machine_.kernel_tables());
    auto kstack = machine_.allocate_kernel_stack();
    if (!mm || !kstack) return std::unexpected("out of guest memory creating the process");
    const int pid = kFirstPid;
    next_pid_ = pid + 1;
    init_pid_ = pid;
    auto p = std::make_unique<Process>(pid, std::make_shared<AddressSpace>(std::move(*mm)),
                                       std::make_shared<FdTable>());
    p->ppid = 1;
    p->pgid = p->sid = pid;
    p->image = std::make_shared<const std::vector<uint8_t>>(program.bytes);
    p->kernel_stack_top = *kstack;
    for (int fd : program.stdio)
        if (int flags = fcntl(fd, F_GETFL); flags >= 0) saved_stdio_flags_.emplace_back(fd, flags);
    install_stdio(p->fds, program.stdio);
    auto entry = load_program(*this, *p, program);
    if (!entry) return std::unexpected(entry.error());

    // start_thread(): the pt_regs that the first IRET pops.
    uint64_t regs[PTREGS_SIZE / 8] = {};
    regs[PTREGS_RIP / 8] = entry->rip;
    regs[PTREGS_CS / 8] = kUserCs;
    regs[PTREGS_EFLAGS / 8] = kUserInitialFlags;
    regs[PTREGS_RSP / 8] = entry->rsp;
    regs[PTREGS_SS / 8] = kUserDs;
    machine_.kernel_memory().write(p->kernel_stack_top - PTREGS_SIZE, regs, sizeof regs);
    current_ = p.get();
    user_entry_ = entry->rip;
    if (events_.wants(kSyscalls)) publish_exec(*p, *entry);
    processes_[p->pid] = std::move(p);
    return {};
}

// The first program arrives as if by execve, so traces start as strace's do.
void Kernel::publish_exec(Process& p, const UserEntry& e) {
    auto nr = syscall_number(SyscallAbi::x86_64, "execve").value_or(59);
    std::array<uint64_t, 6> args{e.execfn, e.argv, e.envp, 0, 0, 0};
    events_.publish(SyscallEntryEvent{p.pid, SyscallAbi::x86_64, nr, "execve", args, &p.mm});
    events_.publish(SyscallExitEvent{p.pid, SyscallAbi::x86_64, nr, "execve", args, 0, true, &p.mm});
}

void Kernel::switch_to(Process& p) {
    Cpu& cpu = machine_.cpu();
    if (current_ && current_ != &p) {
        if (current_->state != TaskState::zombie) {
            if (current_->context) current_->context->save(cpu);
            else current_->context.emplace(cpu);
        }
        if (current_->space != p.space) current_->mm.detach();  // threads share theirs
    }
    if (current_ != &p && p.context) p.context->restore(cpu);
    *need_resched() = 0;
    current_ = &p;
    p.mm.attach();
    machine_.cpu().set_reg(Reg::cr3, p.mm.cr3());
    machine_.set_kernel_stack_top(p.kernel_stack_top);
}

void Kernel::prepare_boot() {
    Cpu& cpu = machine_.cpu();
    switch_to(*current_);
    cpu.set_reg(Reg::rsp, current_->kernel_stack_top - PTREGS_SIZE);
    cpu.set_reg(Reg::rdi, machine_.percpu());
    cpu.set_reg(Reg::rip, machine_.kernel_symbol("startup_64"));
    booted_ = true;
}

void Kernel::on_user_entry(uc_engine*, uint64_t, uint32_t, void* user) {
    auto* k = static_cast<Kernel*>(user);
    if (k->machine_.cpu().cpl() == 3) {
        k->pause_requested_ = true;
        k->machine_.cpu().stop();
    }
}

void Kernel::request_pause() {
    pause_requested_ = true;
    machine_.cpu().stop();
}

RunResult Kernel::boot() {
    if (!current_) return {RunResult::Kind::engine_error, 0, 0, {}, "no process to run"};
    if (booted_) return {RunResult::Kind::engine_error, 0, 0, {}, "already booted"};
    prepare_boot();
    Hook at_entry = machine_.cpu().hook_code(on_user_entry, this, user_entry_, user_entry_);
    return run();  // Kind::paused at the entry point, unless the boot failed
}

RunResult Kernel::run(const RunLimits& limits) {
    Cpu& cpu = machine_.cpu();
    if (!current_) return {RunResult::Kind::engine_error, 0, 0, {}, "no process to run"};
    if (!booted_) prepare_boot();
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + std::chrono::microseconds(limits.timeout_us);
    uint64_t rip = cpu.reg(Reg::rip);
    for (;;) {
        uint64_t budget = 0;
        if (limits.timeout_us) {
            auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
            if (left.count() <= 0) return {RunResult::Kind::limit, 0, 0, {}, "time limit reached"};
            budget = uint64_t(left.count());
        }
        budget = until_next_timer(budget);
        publish_vvar(*current_);
        uc_err err = cpu.run(rip, 0, budget);
        fire_timers();
        // Every stop leaves a stale exception record (the scheduler's hlt a #GP; a
        // hook's or a timer's stop another): forgotten, or the next fault is a #DF.
        cpu.forget_exception();  // docs/carrier.md items 3 and 13
        if (auto f = transitions_.take_fault()) {
            if (auto r = handle_fault(*f)) return *r;
        } else if (auto r = transitions_.take_resume()) {
            rip = *r;
            continue;
        } else if (err != UC_ERR_OK && !current_->exit) {
            return {RunResult::Kind::engine_error, 0, 0, {}, uc_strerror(err)};
        } else if (std::exchange(pause_requested_, false)) {
            return {RunResult::Kind::paused, 0, 0, {}, "paused"};
        }
        if (auto done = init_result()) return *done;
        if (std::exchange(switch_requested_, false) || current_->state != TaskState::runnable) {
            Scheduled next = schedule(deadline, limits.timeout_us != 0);
            if (auto done = init_result()) return *done;  // a timer's signal ended it while all slept
            if (next == Scheduled::timed_out) return {RunResult::Kind::limit, 0, 0, {}, "time limit reached"};
            if (next == Scheduled::deadlock)
                return {RunResult::Kind::limit, 0, 0, {}, "deadlock: every process waits for another"};
        }
        rip = cpu.reg(Reg::rip);
    }
}

// The run is over when the first process has ended; its status is the run's.
std::optional<RunResult> Kernel::init_result() const {
    auto it = processes_.find(init_pid_);
    if (it == processes_.end() || !it->second->exit) return std::nullopt;
    const ProcessExit& e = *it->second->exit;
    if (e.signal) return RunResult{RunResult::Kind::killed, 0, e.signal, last_fault_, ""};
    return RunResult{RunResult::Kind::exited, e.code, 0, {}, ""};
}

// ---- scheduling: round robin in pid order, at system-call boundaries ----
// TIF_NEED_RESCHED: the entry stub checks it after the call and halts into the
// scheduler. (Stopping the engine from a hook would let it finish its block.)
void Kernel::request_switch() {
    switch_requested_ = true;
    *need_resched() = 1;
}

uint8_t* Kernel::need_resched() {
    return machine_.kernel_ranges().host(machine_.percpu() + PCPU_NEED_RESCHED);
}

void Kernel::block(Process& p, std::function<std::optional<int64_t>()> retry) {
    p.state = TaskState::blocked;
    p.retry = std::move(retry);
    request_switch();
}

// Picks the next runnable task, round robin in pid order, first giving blocked
// tasks a chance (their calls run again). With every task blocked, idle while
// one of them waits on a timer; if none does, nothing can ever wake them.
Kernel::Scheduled Kernel::schedule(std::chrono::steady_clock::time_point deadline, bool has_deadline) {
    for (;;) {
        auto after = processes_.upper_bound(current_->pid);
        std::vector<Process*> order;
        for (auto it = after; it != processes_.end(); ++it) order.push_back(it->second.get());
        for (auto it = processes_.begin(); it != after; ++it) order.push_back(it->second.get());
        bool timer_pending = false, progress = false;
        for (Process* p : order) {
            if (p->state == TaskState::blocked && p->retry) progress |= retry_blocked(*p);
            if (p->state == TaskState::runnable) {
                switch_to(*p);
                std::erase_if(processes_, [this](const auto& e) { return e.second->reaped && e.second.get() != current_; });
                return Scheduled::switched;
            }
            timer_pending |= p->state == TaskState::blocked &&
                             (p->sleep_deadline_ns || p->futex_deadline_ns || p->waits_on_host || p->itimer_real_ns);
        }
        if (progress) continue;  // a signal ended a task: its parent's wait may be over now
        if (!timer_pending) return Scheduled::deadlock;
        if (has_deadline && std::chrono::steady_clock::now() >= deadline) return Scheduled::timed_out;
        if (!skip_to_next_deadline()) usleep(100);  // every task sleeps: wait for the first timer
        fire_timers();
        if (init_result()) return Scheduled::deadlock;  // the run is over; run() reports how
    }
}

// A blocked task's call runs again. A signal may end the task meanwhile
// (exit_process drops its retry), so the retry runs from a local copy.
// True when the task is no longer blocked.
bool Kernel::retry_blocked(Process& p) {
    auto retry = std::exchange(p.retry, nullptr);
    if (!retry()) {
        if (p.state == TaskState::blocked) p.retry = std::move(retry);
    } else if (p.state == TaskState::blocked) {
        p.state = TaskState::runnable;
    }
    return p.state != TaskState::blocked;
}

// A fault in ring 3 becomes its signal's default action; in ring 0 it is an oops.
std::optional<RunResult> Kernel::handle_fault(const Fault& f) {
    if (f.cpl == 0) {
        events_.publish(FaultEvent{current_->pid, f.vector, f.rip, f.cr2, 0, 0});
        return RunResult{RunResult::Kind::oops, 0, 0, f, oops_report(f)};
    }
    int sig = exception_info(f.vector).signal;
    if (events_.wants(kFaults)) {
        // ACCERR: a user area whose page is there but forbids the access; anything else
        // (no area, or a kernel address) is MAPERR, as in Linux's do_user_addr_fault.
        bool present = f.vector == kPageFault && current_->mm.find(f.cr2) && current_->mm.present(f.cr2);
        FaultSiginfo si = fault_siginfo(f.vector, f.rip, f.cr2, present);
        events_.publish(FaultEvent{current_->pid, f.vector, f.rip, f.cr2, 3, sig, si.code, si.addr});
    }
    if (deliver_fault_to_handler(*current_, f, sig)) return std::nullopt;  // the handler runs next
    if (current_->pid == init_pid_) last_fault_ = f;
    exit_process(*current_, ProcessExit{0, sig});
    return std::nullopt;  // the run loop ends the run, or schedules another process
}

// A fault whose signal has a handler, unblocked: the model enters the handler
// straight from ring 3, with the faulting registers in the frame (the engine
// gives it no exception entry to go through).
bool Kernel::deliver_fault_to_handler(Process& p, const Fault& f, int sig) {
    if (p.blocked & signal_bit(sig)) return false;  // a blocked synchronous fault kills (force_sig)
    if (signal_action(p, sig) != SignalAction::handler) return false;
    bool present = f.vector == kPageFault && p.mm.find(f.cr2) && p.mm.present(f.cr2);
    FaultSiginfo si = fault_siginfo(f.vector, f.rip, f.cr2, present);
    p.pending &= ~signal_bit(sig);  // the fault's siginfo, not an earlier kill's
    post_signal(p, sig, {si.code, 0, si.addr});
    Cpu& cpu = machine_.cpu();
    RegisterFile r = transitions_.registers();
    PtRegs regs{r.r15, r.r14, r.r13, r.r12, r.rbp, r.rbx, r.r11, r.r10, r.r9, r.r8, r.rax, r.rcx, r.rdx,
                r.rsi, r.rdi, uint64_t(-1), f.rip, r.cs, r.rflags, r.rsp, r.ss};
    if (!deliver_signal(p, regs, sig)) return false;
    publish_delivery(p, regs, sig, f.rip);
    cpu.set_regs<7>({Reg::rip, Reg::rsp, Reg::rdi, Reg::rsi, Reg::rdx, Reg::rax, Reg::rflags},
                    {regs.ip, regs.sp, regs.di, regs.si, regs.dx, regs.ax, regs.flags});
    return true;
}

bool Kernel::user_page_fault(uint64_t address) {
    return current_ && current_->mm.handle_fault(address);
}

// do_exit: the process becomes a zombie for its parent's wait4; its files close
// now (so a pipe's reader sees EOF), its memory goes when it is reaped.
void Kernel::exit_process(Process& p, ProcessExit how) {
    if (p.exit) return;
    p.exit = how;
    p.state = TaskState::zombie;
    p.retry = nullptr;
    if (p.blocked_call) end_blocked_call(p);
    if (p.clear_child_tid) {  // CLONE_CHILD_CLEARTID: pthread_join waits on this word
        p.mm.write_value<uint32_t>(p.clear_child_tid, 0);
        wake_futex(p.mm, p.clear_child_tid, 1);
    }
    if (p.pid != p.tgid) p.reaped = true;  // a thread leaves no zombie
    if (p.files.use_count() == 1) p.fds = FdTable{};  // the last task using them closes the files
    for (Process* child : children_of(p.pid)) child->ppid = 1;  // reparented to init, which Linux has
    if (events_.wants(kExits)) events_.publish(ProcessExitEvent{p.pid, how.code, how.signal});
    if (p.pid == p.tgid) notify_parent(p, how);
    if (&p == current_) request_switch();
}

// A task that dies inside a blocked call (SIGKILL, or another thread's
// exit_group): the call never returns, and traces say so ("= ?").
void Kernel::end_blocked_call(Process& p) {
    Process::BlockedCall call = *std::exchange(p.blocked_call, std::nullopt);
    if (!events_.wants(kSyscalls)) return;
    const SupportStatus st = dispatcher_.lookup(call.abi, call.nr);
    std::string_view name = st.entry ? st.entry->name : std::string_view{};
    events_.publish(SyscallExitEvent{p.pid, call.abi, call.nr, name, call.args, 0, false, &p.mm});
}

// do_notify_parent: SIGCHLD to the parent (its handler runs if it has one; the
// default is to ignore it). Traces show it when the parent takes it.
void Kernel::notify_parent(const Process& child, const ProcessExit& how) {
    Process* parent = find(child.ppid);
    if (!parent || parent->state == TaskState::zombie) return;
    constexpr int kCldExited = 1, kCldKilled = 2;  // CLD_EXITED, CLD_KILLED
    post_signal(*parent, SIGCHLD, {how.signal ? kCldKilled : kCldExited, child.pid, 0,
                                   how.signal ? how.signal : how.code});
}

void Kernel::kill_process(Process& p, int signal) { exit_group(p, ProcessExit{0, signal}); }

void Kernel::exit_group(Process& p, ProcessExit how) {
    for (Process* t : processes())
        if (t->tgid == p.tgid && t != &p && t->pid != t->tgid) exit_process(*t, how);
    exit_process(p, how);
    if (p.pid != p.tgid) {  // a thread ended the group: its leader reports the status
        if (Process* leader = find(p.tgid)) exit_process(*leader, how);
    }
}

int Kernel::wake_futex(const AddressSpace& space, uint64_t word, int count) {
    int woken = 0;
    for (auto& [id, t] : processes_) {
        if (woken >= count) break;
        if (t->futex_word == word && &t->mm == &space && !t->futex_woken && t->state == TaskState::blocked) {
            t->futex_woken = true;
            ++woken;
        }
    }
    return woken;
}

Process* Kernel::find(int pid) {
    auto it = processes_.find(pid);
    return it == processes_.end() ? nullptr : it->second.get();
}

std::vector<Process*> Kernel::processes() {
    std::vector<Process*> out;
    for (auto& [id, p] : processes_) out.push_back(p.get());
    return out;
}

std::vector<Process*> Kernel::children_of(int pid) {
    std::vector<Process*> out;
    for (auto& [id, p] : processes_)
        if (p->ppid == pid && id != pid && !p->reaped && p->pid == p->tgid) out.push_back(p.get());
    return out;
}

void Kernel::reap(int pid) {
    Process* p = find(pid);
    if (!p || pid == init_pid_) return;
    p->reaped = true;
    if (p != current_) processes_.erase(pid);  // else the scheduler removes it after switching away
}

void Kernel::warn(std::string text) {
    if (!warned_.insert(text).second) return;
    events_.publish(WarningEvent{std::move(text)});
}

int64_t Kernel::now_ns(int clock) const {
    if (config_.deterministic) {
        auto* self = const_cast<Kernel*>(this);  // the virtual clock ticks on every reading
        self->virtual_ns_ += 1000;
        bool wall = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE || clock == CLOCK_TAI;
        return (wall ? kDeterministicEpochNs : 0) + virtual_ns_;
    }
    timespec ts{};
    clock_gettime(clock, &ts);
    const int64_t ns = int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    const bool monotonic = clock == CLOCK_MONOTONIC || clock == CLOCK_MONOTONIC_COARSE || clock == CLOCK_BOOTTIME;
    return monotonic ? std::max(ns, vvar_clock_.shown_ns()) : ns;  // the vDSO may run a little ahead
}

void Kernel::fill_random(void* buf, size_t len) {
    auto* out = static_cast<uint8_t*>(buf);
    if (!config_.deterministic) {
        while (len > 0) {
            ssize_t n = getrandom(out, len, 0);
            if (n <= 0) break;
            out += n;
            len -= size_t(n);
        }
        if (len == 0) return;
    }
    for (size_t i = 0; i < len; ++i) {  // xorshift64: reproducible bytes
        random_state_ ^= random_state_ << 13;
        random_state_ ^= random_state_ >> 7;
        random_state_ ^= random_state_ << 17;
        out[i] = uint8_t(random_state_);
    }
}

// ---- system call dispatch ----
// The pt_regs the stub built, or nullptr when `regs` does not name one in
// kernel memory (only a broken guest kernel passes such a pointer).
PtRegs* Kernel::pt_regs_at(uint64_t regs) {
    size_t run = 0;
    uint8_t* p = machine_.kernel_ranges().host(regs, &run);
    if (!p || run < sizeof(PtRegs) || (regs & 7)) return nullptr;
    return reinterpret_cast<PtRegs*>(p);
}

void Kernel::do_syscall_64(uint64_t regs, int64_t nr) {
    PtRegs* r = pt_regs_at(regs);
    if (!r) return bad_regs(regs);
    std::array<uint64_t, 6> args = {r->di, r->si, r->dx, r->r10, r->r8, r->r9};
    bool x32 = uint64_t(nr) & kX32SyscallBit;
    dispatch(regs, *r, x32 ? SyscallAbi::x32 : SyscallAbi::x86_64, x32 ? nr & ~int64_t(kX32SyscallBit) : nr, args);
}

// int $0x80: the i386 table, arguments from ebx, ecx, edx, esi, edi, ebp truncated to 32 bits.
void Kernel::do_int80_syscall_32(uint64_t regs, uint32_t nr) {
    PtRegs* r = pt_regs_at(regs);
    if (!r) return bad_regs(regs);
    std::array<uint64_t, 6> args = {uint32_t(r->bx), uint32_t(r->cx), uint32_t(r->dx),
                                    uint32_t(r->si), uint32_t(r->di), uint32_t(r->bp)};
    dispatch(regs, *r, SyscallAbi::i386, nr, args);
}

void Kernel::bad_regs(uint64_t regs) {
    uint64_t rip = machine_.cpu().reg(Reg::rip);
    transitions_.raise({kGeneralProtection, rip, 0, 0,
                        fmt::format("the entry stub passed {:#x} as pt_regs, which is not kernel memory", regs)});
}

void Kernel::dispatch(uint64_t regs_va, PtRegs& regs, SyscallAbi abi, int64_t nr,
                      const std::array<uint64_t, 6>& args) {
    Process& p = *current_;
    const SupportStatus st = dispatcher_.lookup(abi, nr);
    const std::string_view name = st.entry ? st.entry->name : std::string_view{};
    if (events_.wants(kSyscalls))
        events_.publish(SyscallEntryEvent{p.pid, abi, nr, name, args, &p.mm, regs_va, regs.sp});
    if (!st.service) {
        warn(fmt::format("syscall {} ({} {}) is not implemented: returning -ENOSYS",
                         name.empty() ? "?" : name, to_string(abi), nr));
        return complete(p, regs, {abi, nr, name, args}, -ENOSYS, std::nullopt);
    }
    SyscallContext ctx{*this, p, abi, args, regs};
    int64_t ret = st.service->fn(ctx);
    if (ret != kRetryLater) return complete(p, regs, {abi, nr, name, args}, ret, ctx.exit);
    // Blocked: the scheduler runs the service again until it has an answer, or
    // until a signal interrupts the wait.
    p.blocked_call = Process::BlockedCall{nr, args, regs.sp, regs.ip, abi};
    block(p, [this, &p, &regs, fn = st.service->fn, call = PendingCall{abi, nr, name, args}]() -> std::optional<int64_t> {
        if (int sig = next_interrupting(p)) return interrupt(p, regs, call, sig);
        SyscallContext again{*this, p, call.abi, call.args, regs};
        int64_t r = fn(again);
        if (r == kRetryLater) return std::nullopt;
        complete(p, regs, call, r, again.exit);
        return r;
    });
}

// The end of a call: the result into pt_regs->ax, the event, and an exit if it was one.
void Kernel::complete(Process& p, PtRegs& regs, const PendingCall& call, int64_t ret,
                      std::optional<SyscallContext::Exit> exit) {
    p.blocked_call.reset();
    if (call.abi == SyscallAbi::i386) ret = int64_t(int32_t(ret));  // eax only, sign-extended
    if (!exit) regs.ax = uint64_t(ret);
    if (events_.wants(kSyscalls))
        events_.publish(SyscallExitEvent{p.pid, call.abi, call.nr, call.name, call.args, ret, !exit, &p.mm});
    if (exit) {
        ProcessExit how{exit->code, exit->signal};
        return call.name == "exit" ? exit_process(p, how) : exit_group(p, how);
    }
    publish_vvar(p);  // the vDSO's clocks move on at each return to user mode
    deliver_pending(p, regs);
}

// exit_to_user_mode and get_signal: the pending, unblocked signals are taken in
// order. An ignored one is dropped; a handler runs before user code does; a
// default action of terminate ends the process.
void Kernel::deliver_pending(Process& p, PtRegs& regs) {
    while (int sig = next_deliverable(p)) {
        p.pending &= ~signal_bit(sig);
        publish_signal(p, sig);
        switch (signal_action(p, sig)) {
        case SignalAction::ignore: continue;
        case SignalAction::stop: warn("job-control stops are not modelled: the signal is ignored"); continue;
        case SignalAction::terminate: return kill_process(p, sig);
        case SignalAction::handler: break;
        }
        uint64_t resume_at = regs.ip;
        if (!deliver_signal(p, regs, sig)) return kill_process(p, SIGSEGV);
        return publish_delivery(p, regs, sig, resume_at);
    }
}

void Kernel::publish_signal(const Process& p, int sig) {
    if (!events_.wants(kFaults)) return;
    const Process::Source& s = p.signal_sources[sig];
    events_.publish(SignalEvent{p.pid, sig, s.code, s.pid, s.status, s.value});
}

void Kernel::publish_delivery(const Process& p, const PtRegs& regs, int sig, uint64_t resume_at) {
    if (events_.wants(kTransitions))
        events_.publish(SignalDeliveryEvent{p.pid, sig, regs.ip, regs.sp, resume_at});
}

// A signal ends a blocked wait: with SA_RESTART the call starts over once the
// handler returns (RIP back on the syscall, RAX the number again), else -EINTR.
// pause and sigsuspend are never restarted (ERESTARTNOHAND).
int64_t Kernel::interrupt(Process& p, PtRegs& regs, const PendingCall& call, int sig) {
    constexpr int64_t kErestartsys = -512;
    constexpr uint64_t kSyscallLength = 2;  // syscall and int $0x80 alike
    const int64_t code = restart_code(call.name);
    bool restart = (p.actions[sig].flags & SA_RESTART) && code == kErestartsys;
    p.futex_word = 0;  // a futex or a sleep ends here either way
    p.futex_deadline_ns = p.sleep_deadline_ns = 0;
    p.waits_on_host = p.mask_set_by_wait = false;  // poll/select: a handler's frame restores their mask
    p.blocked_call.reset();
    if (events_.wants(kSyscalls))
        events_.publish(SyscallExitEvent{p.pid, call.abi, call.nr, call.name, call.args, code, true, &p.mm});
    if (restart) {
        regs.ax = regs.orig_ax;
        regs.ip -= kSyscallLength;
    } else {
        regs.ax = uint64_t(-EINTR);
    }
    deliver_pending(p, regs);
    return restart ? kErestartsys : -EINTR;
}

// What a blocked call returns inside the kernel when a signal ends it (what
// strace shows): -ERESTARTSYS restarts under SA_RESTART; -ERESTARTNOHAND
// (pause, sigsuspend, select, ppoll) and -ERESTART_RESTARTBLOCK (poll, sleeps)
// become -EINTR once a handler has run.
int64_t Kernel::restart_code(std::string_view name) {
    constexpr int64_t kErestartsys = -512, kErestartnohand = -514, kErestartRestartblock = -516;
    for (std::string_view n : {"pause", "rt_sigsuspend", "ppoll", "select", "pselect6"})
        if (name == n) return kErestartnohand;
    for (std::string_view n : {"poll", "nanosleep", "clock_nanosleep", "clock_nanosleep_time64"})
        if (name == n) return kErestartRestartblock;
    return kErestartsys;
}

// The clocks the vDSO reads, as now_ns() would give them (without ticking the virtual clock).
void Kernel::publish_vvar(Process& p) {
    if (config_.deterministic)
        return vvar_clock_.publish(p.mm, virtual_ns_, kDeterministicEpochNs + virtual_ns_, false);
    timespec real{};
    clock_gettime(CLOCK_REALTIME, &real);
    vvar_clock_.publish(p.mm, monotonic_now(), int64_t(real.tv_sec) * 1000000000 + real.tv_nsec, true);
}

// ---- interval timers (ITIMER_REAL) ----
// CLOCK_MONOTONIC without moving the deterministic clock (now_ns ticks it).
int64_t Kernel::monotonic_now() const {
    if (config_.deterministic) return virtual_ns_;
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// it_real_fn: SIGALRM to each process whose timer has run out; an interval re-arms it.
void Kernel::fire_timers() {
    std::optional<int64_t> now;
    for (Process* p : processes()) {
        if (!p->itimer_real_ns || p->state == TaskState::zombie) continue;
        if (!now) now = monotonic_now();
        if (*now < p->itimer_real_ns) continue;
        int64_t every = p->itimer_real_interval_ns;
        p->itimer_real_ns = every ? p->itimer_real_ns + ((*now - p->itimer_real_ns) / every + 1) * every : 0;
        constexpr int kSiKernel = 0x80;  // SI_KERNEL
        raise_signal(*p, SIGALRM, kSiKernel);
    }
}

// A signal the kernel itself sends (SIGALRM): pending, and taken at once when
// its target is running in ring 3; a blocked target's wait ends if it must.
void Kernel::raise_signal(Process& p, int sig, int code) {
    post_signal(p, sig, {code, 0});
    if (&p == current_ && p.state == TaskState::runnable && machine_.cpu().cpl() == 3) deliver_now(p);
}

// The current task was stopped in ring 3 (no system call to return through):
// its signals are taken as at an interrupt's exit, from the registers as they are.
void Kernel::deliver_now(Process& p) {
    if (!next_deliverable(p)) return;
    Cpu& cpu = machine_.cpu();
    RegisterFile r = transitions_.registers();
    PtRegs regs{r.r15, r.r14, r.r13, r.r12, r.rbp, r.rbx, r.r11, r.r10, r.r9, r.r8, r.rax, r.rcx, r.rdx,
                r.rsi, r.rdi, uint64_t(-1), r.rip, r.cs, r.rflags, r.rsp, r.ss};
    deliver_pending(p, regs);
    if (p.exit) return;
    cpu.set_regs<7>({Reg::rip, Reg::rsp, Reg::rdi, Reg::rsi, Reg::rdx, Reg::rax, Reg::rflags},
                    {regs.ip, regs.sp, regs.di, regs.si, regs.dx, regs.ax, regs.flags});
}

// The engine's time budget: no later than the first armed timer (wall-clock
// runs only; deterministic time moves with the guest's clock readings and waits).
uint64_t Kernel::until_next_timer(uint64_t budget_us) const {
    if (config_.deterministic) return budget_us;
    int64_t first = 0;
    for (auto& [pid, p] : processes_)
        if (p->itimer_real_ns && (!first || p->itimer_real_ns < first)) first = p->itimer_real_ns;
    if (!first) return budget_us;
    uint64_t left = uint64_t(std::max<int64_t>(1, (first - monotonic_now()) / 1000 + 1));
    return budget_us ? std::min(budget_us, left) : left;
}

// Deterministic runs never wait: with every task asleep, virtual time jumps to
// the first deadline (a sleep, a poll timeout, an interval timer). False when
// there is none to jump to (a wait on the host, or wall-clock time).
bool Kernel::skip_to_next_deadline() {
    if (!config_.deterministic) return false;
    int64_t first = 0;
    for (auto& [pid, p] : processes_) {
        for (int64_t d : {p->state == TaskState::blocked ? p->sleep_deadline_ns : 0, p->itimer_real_ns})
            if (d && (!first || d < first)) first = d;
    }
    if (!first) return false;
    virtual_ns_ = std::max(virtual_ns_, first);
    return true;
}

// ---- oops ----
std::string Kernel::oops_report(const Fault& f) {
    Cpu& cpu = machine_.cpu();
    ExceptionInfo info = exception_info(f.vector);
    std::string out = fmt::format("sysentry: kernel oops: {} ({}) in ring 0{}{}\n", info.name, info.mnemonic,
                                  f.why.empty() ? "" : ": ", f.why);
    const ElfSymbol* sym = symbol_containing(machine_.kernel_image(), f.rip);
    std::string where = sym ? fmt::format(" <{}+{:#x}>", sym->name, f.rip - sym->value) : "";
    uint8_t code[16] = {};
    cpu.read_memory(f.rip, code, sizeof code);
    auto insn = Disassembler().one(code, f.rip);
    out += fmt::format("RIP: {:04x}:{:016x}{}\n", cpu.reg(Reg::cs), f.rip, where);
    out += fmt::format("Code: {}\n", insn ? insn->text() : "(unreadable)");
    out += fmt::format("RSP: {:04x}:{:016x} EFLAGS: {:08x}\n", cpu.reg(Reg::ss), cpu.reg(Reg::rsp),
                       cpu.reg(Reg::rflags));
    const std::pair<const char*, Reg> rows[][3] = {
        {{"RAX", Reg::rax}, {"RBX", Reg::rbx}, {"RCX", Reg::rcx}},
        {{"RDX", Reg::rdx}, {"RSI", Reg::rsi}, {"RDI", Reg::rdi}},
        {{"RBP", Reg::rbp}, {"R08", Reg::r8}, {"R09", Reg::r9}},
        {{"R10", Reg::r10}, {"R11", Reg::r11}, {"R12", Reg::r12}},
        {{"R13", Reg::r13}, {"R14", Reg::r14}, {"R15", Reg::r15}},
    };
    for (auto& row : rows) {
        out += fmt::format("{}: {:016x} {}: {:016x} {}: {:016x}\n", row[0].first, cpu.reg(row[0].second),
                           row[1].first, cpu.reg(row[1].second), row[2].first, cpu.reg(row[2].second));
    }
    if (f.vector == kPageFault) out += fmt::format("CR2: {:016x}\n", f.cr2);
    return out;
}

}  // namespace sysentry
