#include "sysentry/cpu.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <fmt/format.h>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "sysentry/exit_status.hpp"

namespace sysentry {

EngineError::EngineError(const char* what, uc_err err)
    : std::runtime_error(fmt::format("unicorn: {}: {}", what, uc_strerror(err))), code(err) {}

static void check(uc_err err, const char* what) {
    if (err != UC_ERR_OK) throw EngineError(what, err);
}

Hook& Hook::operator=(Hook&& o) noexcept {
    if (this != &o) {
        if (uc_) uc_hook_del(uc_, h_);
        uc_ = o.uc_;
        h_ = o.h_;
        o.uc_ = nullptr;
    }
    return *this;
}

Hook::~Hook() {
    if (uc_) uc_hook_del(uc_, h_);
}

CpuContext::CpuContext(const Cpu& cpu) {
    uc_context* c = nullptr;
    check(uc_context_alloc(cpu.engine(), &c), "uc_context_alloc");
    ctx_.reset(c);
    save(cpu);
}

void CpuContext::save(const Cpu& cpu) { check(uc_context_save(cpu.engine(), ctx_.get()), "uc_context_save"); }

void CpuContext::restore(Cpu& cpu) const {
    check(uc_context_restore(cpu.engine(), ctx_.get()), "uc_context_restore");
}

void CpuContext::set(Reg r, uint64_t v) { check(uc_context_reg_write(ctx_.get(), int(r), &v), "context write"); }

// ---- stopping a run from another thread ----
// uc_emu_stop sets the engine's stop flag and only then asks the translated
// code to exit. A code hook reached in between sees the flag and returns
// without calling anyone, while the exit check after it does not fire yet: the
// instruction runs without its hook (docs/carrier.md item 16). Made by the
// running thread itself, in a signal handler, the two writes land between two
// of its instructions, as a stop from a hook does.
namespace {

// The engine this thread is running, and which of its runs: a signal still in
// flight when a run ended finds a different number and does nothing.
thread_local uc_engine* t_running_engine = nullptr;
thread_local int t_run_number = 0;

void on_stop_signal(int, siginfo_t* info, void*) {
    const int saved_errno = errno;
    if (t_running_engine && info->si_value.sival_int == t_run_number) uc_emu_stop(t_running_engine);
    errno = saved_errno;
}

// A real-time signal, so each one is queued with its run number. SA_RESTART:
// a host call a hook is making (a guest's write) carries on.
int stop_signal() {
    static const int signo = [] {
        const int s = SIGRTMIN + 1;
        struct sigaction sa {};
        sa.sa_sigaction = on_stop_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(s, &sa, nullptr);
        return s;
    }();
    return signo;
}

// Unicorn 2.0.1 aborts the whole process on some guest instructions it cannot
// translate: a far jmp or call through a register (ff /3, ff /5 with mod 3;
// Linux answers SIGILL), docs/carrier.md item 18. Inside a run that abort
// becomes one line and sysentry's own failure status, not a core dump; any
// other abort goes on to the handler that was there before (libFuzzer's, or
// the default).
struct sigaction g_previous_abort{};

void on_abort(int) {
    if (!t_running_engine) {
        sigaction(SIGABRT, &g_previous_abort, nullptr);
        raise(SIGABRT);
        return;
    }
    static constexpr char kMessage[] =
        "sysentry: the engine (Unicorn 2.0.1) aborted while translating the guest's code; it cannot translate a far "
        "jmp or call through a register (ff /3 or ff /5), which Linux answers with SIGILL: the run is stopped\n";
    (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    _exit(kExitUsageStatus);
}

void catch_engine_aborts() {
    static const bool installed = [] {
        struct sigaction sa {};
        sa.sa_handler = on_abort;
        sigemptyset(&sa.sa_mask);
        return sigaction(SIGABRT, &sa, &g_previous_abort) == 0;
    }();
    (void)installed;
}

}  // namespace

// Which thread runs the engine, while one does.
struct Cpu::RunningThread {
    std::mutex lock;
    bool running = false;
    pthread_t thread{};
    int run_number = 0;

    void enter(uc_engine* uc) {
        stop_signal();  // installed before any can be sent
        ++t_run_number;
        std::atomic_signal_fence(std::memory_order_seq_cst);  // the new number first
        t_running_engine = uc;
        std::lock_guard guard(lock);
        running = true;
        thread = pthread_self();
        run_number = t_run_number;
    }
    void leave() {
        std::lock_guard guard(lock);
        running = false;
        t_running_engine = nullptr;
    }
};

void Cpu::stop_from_another_thread() {
    std::lock_guard guard(running_->lock);
    if (!running_->running) return;
    sigval number{};
    number.sival_int = running_->run_number;
    pthread_sigqueue(running_->thread, stop_signal(), number);
}

Cpu::~Cpu() = default;
Cpu::Cpu(Cpu&&) noexcept = default;
Cpu& Cpu::operator=(Cpu&&) noexcept = default;

Cpu::Cpu() : running_(std::make_unique<RunningThread>()) {
    catch_engine_aborts();
    uc_engine* uc = nullptr;
    check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), "uc_open");
    uc_.reset(uc);
    // uc_emu_start's `until` would silently stop a guest that jumps to it; with
    // exits enabled the only exit is a non-canonical address no RIP can hold.
    uint64_t never = 0x8000000000000000;
    check(uc_ctl_exits_enable(uc), "enable exits");
    check(uc_ctl_set_exits(uc, &never, 1), "set exits");
    locate_exception_memory();
}

uint64_t Cpu::reg(Reg r) const {
    uint64_t v = 0;
    check(uc_reg_read(uc_.get(), int(r), &v), "uc_reg_read");
    return v;
}

void Cpu::set_reg(Reg r, uint64_t v) { check(uc_reg_write(uc_.get(), int(r), &v), "uc_reg_write"); }

void Cpu::read_batch(const int* ids, uint64_t* out, size_t n) const {
    void* ptrs[32];
    for (size_t i = 0; i < n; ++i) ptrs[i] = &out[i];
    check(uc_reg_read_batch(uc_.get(), const_cast<int*>(ids), ptrs, int(n)), "uc_reg_read_batch");
}

void Cpu::write_batch(const int* ids, const uint64_t* in, size_t n) {
    const void* ptrs[32];
    for (size_t i = 0; i < n; ++i) ptrs[i] = &in[i];
    check(uc_reg_write_batch(uc_.get(), const_cast<int*>(ids), const_cast<void* const*>(ptrs), int(n)),
          "uc_reg_write_batch");
}

uint64_t Cpu::msr(uint32_t id) const {
    uc_x86_msr m{id, 0};
    check(uc_reg_read(uc_.get(), UC_X86_REG_MSR, &m), "rdmsr");
    return m.value;
}

void Cpu::set_msr(uint32_t id, uint64_t v) {
    uc_x86_msr m{id, v};
    check(uc_reg_write(uc_.get(), UC_X86_REG_MSR, &m), "wrmsr");
}

void Cpu::set_table_register(int uc_reg, uint64_t base, uint32_t limit, uint16_t selector,
                             uint32_t flags) {
    uc_x86_mmr mmr{selector, base, limit, flags};
    check(uc_reg_write(uc_.get(), uc_reg, &mmr), "table register");
}

void Cpu::map_ram(uint64_t address, void* host, size_t size) {
    check(uc_mem_map_ptr(uc_.get(), address, size, UC_PROT_ALL, host), "uc_mem_map_ptr");
}

bool Cpu::read_memory(uint64_t address, void* dst, size_t len) const {
    return uc_mem_read(uc_.get(), address, dst, len) == UC_ERR_OK;
}

// Translated blocks covering the bytes go too: they may be code (a debugger's
// patch). Only those blocks, since a full flush costs up to seconds here.
bool Cpu::write_memory(uint64_t address, const void* src, size_t len) {
    if (uc_mem_write(uc_.get(), address, src, len) != UC_ERR_OK) return false;
    uc_ctl_remove_cache(uc_.get(), address, address + len);
    return true;
}

bool Cpu::read_register_bytes(int uc_reg, void* out) const {
    return uc_reg_read(uc_.get(), uc_reg, out) == UC_ERR_OK;
}

bool Cpu::write_register_bytes(int uc_reg, const void* in) {
    return uc_reg_write(uc_.get(), uc_reg, in) == UC_ERR_OK;
}

void Cpu::unmap_ram(uint64_t address, size_t size) {
    check(uc_mem_unmap(uc_.get(), address, size), "uc_mem_unmap");
}

// Unicorn's own timeout calls uc_emu_stop once. When the translation block it
// lands in ends with a hook writing RIP (every SYSCALL, landing and SYSRET of
// the model), the engine treats the stop as part of that redirect and clears
// it (docs/carrier.md, item 11): a guest looping through hooks would never
// stop. So the deadline is ours, and the stop is repeated until it takes; it is
// made on the running thread (stop_from_another_thread), never from this one.
class RunWatchdog {
public:
    RunWatchdog(Cpu& cpu, uint64_t timeout_us)
        : thread_([this, &cpu, timeout_us](std::stop_token done) {
              std::mutex m;
              std::unique_lock lock(m);
              auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout_us);
              wake_.wait_until(lock, done, deadline, [] { return false; });  // wakes early when the run ends
              while (!done.stop_requested()) {
                  cpu.stop_from_another_thread();
                  wake_.wait_for(lock, done, std::chrono::milliseconds(1), [] { return false; });
              }
          }) {}
    // The jthread's destructor requests the stop (the run is over) and joins.

private:
    std::condition_variable_any wake_;
    std::jthread thread_;
};

uc_err Cpu::run(uint64_t rip, uint64_t count, uint64_t timeout_us) {
    running_->enter(uc_.get());
    struct Leave {
        RunningThread& r;
        ~Leave() { r.leave(); }
    } leave{*running_};
    std::optional<RunWatchdog> watchdog;  // joined before `leave`: no stop comes after it
    if (timeout_us) watchdog.emplace(*this, timeout_us);
    return uc_emu_start(uc_.get(), rip, 0, 0, count);
}

void Cpu::stop() { uc_emu_stop(uc_.get()); }

void Cpu::flush_tlb() { set_reg(Reg::cr3, reg(Reg::cr3)); }

void Cpu::flush_translations() { check(uc_ctl_flush_tlb(uc_.get()), "flush translations"); }

void Cpu::forget_translations(uint64_t begin, uint64_t end) {
    check(uc_ctl_remove_cache(uc_.get(), begin, end), "forget translations");
}

Hook Cpu::hook_code(CodeFn fn, void* user, uint64_t begin, uint64_t end) {
    uc_hook h;
    check(uc_hook_add(uc_.get(), &h, UC_HOOK_CODE, reinterpret_cast<void*>(fn), user, begin, end),
          "hook code");
    return Hook(uc_.get(), h);
}

Hook Cpu::hook_syscall(void (*fn)(uc_engine*, void*), void* user) {
    uc_hook h;
    check(uc_hook_add(uc_.get(), &h, UC_HOOK_INSN, reinterpret_cast<void*>(fn), user, 1, 0,
                      UC_X86_INS_SYSCALL),
          "hook syscall");
    return Hook(uc_.get(), h);
}

Hook Cpu::hook_out(void (*fn)(uc_engine*, uint32_t, int, uint32_t, void*), void* user) {
    uc_hook h;
    check(uc_hook_add(uc_.get(), &h, UC_HOOK_INSN, reinterpret_cast<void*>(fn), user, 1, 0,
                      UC_X86_INS_OUT),
          "hook out");
    return Hook(uc_.get(), h);
}

Hook Cpu::hook_interrupt(void (*fn)(uc_engine*, uint32_t, void*), void* user) {
    uc_hook h;
    check(uc_hook_add(uc_.get(), &h, UC_HOOK_INTR, reinterpret_cast<void*>(fn), user, 1, 0),
          "hook intr");
    return Hook(uc_.get(), h);
}

Hook Cpu::hook_invalid(bool (*fn)(uc_engine*, void*), void* user) {
    uc_hook h;
    check(uc_hook_add(uc_.get(), &h, UC_HOOK_INSN_INVALID, reinterpret_cast<void*>(fn), user, 1, 0),
          "hook invalid");
    return Hook(uc_.get(), h);
}

Hook Cpu::hook_unmapped(bool (*fn)(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void*),
                        void* user) {
    uc_hook h;
    check(uc_hook_add(uc_.get(), &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(fn), user, 1, 0),
          "hook unmapped");
    return Hook(uc_.get(), h);
}

}  // namespace sysentry
