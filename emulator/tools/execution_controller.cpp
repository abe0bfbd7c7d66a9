#include "sysentry/execution_controller.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include <capstone/capstone.h>

#include "sysentry/disassembler.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

constexpr uint8_t kSyscallOpcode[2] = {0x0f, 0x05};

static ExecutionController& self(void* user) { return *static_cast<ExecutionController*>(user); }

ExecutionController::ExecutionController(Program program, ControllerOptions options)
    : program_(std::move(program)), options_(std::move(options)) {
    options_.session.kernel.deterministic = true;  // reverse execution re-runs to the same state
}

ExecutionController::~ExecutionController() { close_session(); }

std::expected<std::unique_ptr<ExecutionController>, std::string> ExecutionController::start(
    Program program, ControllerOptions options) {
    std::unique_ptr<ExecutionController> c(new ExecutionController(std::move(program), std::move(options)));
    if (auto r = c->open_session(); !r) return std::unexpected(r.error());
    return c;
}

// The hook goes in before the kernel model's, so a stop happens before any of
// the model's own hooks at that instruction act (at a sysretq, for one).
std::expected<void, std::string> ExecutionController::open_session() {
    SessionOptions so = options_.session;
    so.before_kernel = [this](Machine& m) { hook_ = m.cpu().hook_code(on_instruction, this, 1, 0); };
    const char* in_path = options_.stdin_file ? options_.stdin_file->c_str() : "/dev/null";
    input_fd_ = open(in_path, O_RDONLY | O_CLOEXEC);
    if (input_fd_ < 0) return std::unexpected(fmt::format("{}: {}", in_path, std::strerror(errno)));
    output_fd_ = memfd_create("sysentry-step-output", MFD_CLOEXEC);
    if (output_fd_ < 0) return std::unexpected(fmt::format("memfd_create: {}", std::strerror(errno)));
    auto session = Session::create(so);
    if (!session) return std::unexpected(session.error());
    session_ = std::move(*session);
    Machine& m = session_->machine();
    carrier_landing_ = m.kernel_symbol("sysentry_carrier_landing");
    carrier_iret_ = m.kernel_symbol("sysentry_carrier_iret");
    session_->events().subscribe(this, kEverything);
    Program p = program_;
    p.stdio = {input_fd_, output_fd_, output_fd_};
    if (auto r = session_->kernel().spawn(p); !r) return std::unexpected(r.error());
    counting_ = false;
    RunResult boot = session_->kernel().boot();
    if (boot.kind != RunResult::Kind::paused) return std::unexpected("the program did not start: " + boot.detail);
    counting_ = true;
    refire_ = true;  // boot stopped before the first instruction, which is hooked again
    executed_ = firings_ = last_executed_ = 0;
    ended_.reset();
    pending_return_.reset();
    return {};
}

void ExecutionController::close_session() {
    hook_ = Hook{};  // on the old engine, which must still exist
    session_.reset();
    for (int* fd : {&input_fd_, &output_fd_}) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
    }
}

bool ExecutionController::is_carrier(uint64_t address) const {
    return (address & ~(x86::kPageSize - 1)) == kCarrierPage || address == carrier_landing_ ||
           address == carrier_iret_;
}

// Before each instruction. The engine stops before every one: a stop leaves
// it unexecuted, and resuming runs the same address's hooks again, which
// `refire_` lets through. Stopping at each instruction, whether or not the
// user sees the stop, keeps every run in the same shape, so a step, a continue
// and a replay count the same instructions. An instruction that faults and is
// retried (demand paging; the engine's "unmapped" retry) hooks its address
// again: that is the same instruction, neither counted nor stopped at (a stop
// would drop the scratch page the retry needs). A rep-prefixed instruction's
// iterations are one instruction for the same reason.
void ExecutionController::on_instruction(uc_engine*, uint64_t address, uint32_t, void* user) {
    ExecutionController& c = self(user);
    if (!c.counting_ || c.is_carrier(address)) return;
    ++c.firings_;
    if (std::exchange(c.refire_, false)) {
        ++c.executed_;
        c.last_executed_ = address;
        return;
    }
    if (address == c.last_executed_ && c.firings_ < c.mode_.limit) return;  // a retry: the same instruction
    Stop why;
    if (c.firings_ >= c.mode_.limit) {
        c.stop_ = Stop{StopReason::limit};
    } else if (c.executed_ >= c.mode_.target) {
        c.stop_ = why;
    } else if (c.event_stop(address, why)) {
        if (c.mode_.hits) c.mode_.hits->emplace_back(c.executed_, why);  // reverse-continue's scan
        else c.stop_ = why;
    }
    c.refire_ = true;
    c.last_executed_ = 0;
    c.session_->kernel().request_pause();
}

unsigned ExecutionController::cpl() const { return session_->machine().cpu().cpl(); }

bool ExecutionController::event_stop(uint64_t address, Stop& why) {
    if (mode_.breakpoints) {
        for (auto& [n, b] : breakpoints_) {
            if (b.address == address) {
                why = {StopReason::breakpoint, n};
                return true;
            }
        }
    }
    if (mode_.catches && !catches_.empty() && catch_matches(address, why)) return true;
    if (mode_.until_user && cpl() == 3) {
        why = pending_return_ ? Stop{StopReason::syscall_return, pending_return_catch_, *pending_return_}
                              : Stop{StopReason::user_mode};
        return true;
    }
    if (mode_.until_address && address == *mode_.until_address && cpl() == mode_.until_cpl) {
        why.reason = StopReason::step;
        return true;
    }
    return false;
}

// A SYSCALL about to execute in ring 3 whose number (RAX) a catchpoint names.
bool ExecutionController::catch_matches(uint64_t address, Stop& why) {
    Cpu& cpu = session_->machine().cpu();
    uint8_t code[2] = {};
    if (cpu.cpl() != 3 || !cpu.read_memory(address, code, 2) || std::memcmp(code, kSyscallOpcode, 2) != 0)
        return false;
    const int64_t nr = int64_t(cpu.reg(Reg::rax));
    for (auto& [n, c] : catches_) {
        if (!c.nr || *c.nr == nr) {
            why = {StopReason::syscall_call, n, nr};
            return true;
        }
    }
    return false;
}

Stop ExecutionController::run(Mode mode) {
    if (ended_) return Stop{StopReason::ended, 0, -1, ended_};
    mode_ = mode;
    stop_.reset();
    RunResult r{RunResult::Kind::paused};
    do r = session_->kernel().run();
    while (r.kind == RunResult::Kind::paused && !stop_);
    mode_ = Mode{};
    if (r.kind != RunResult::Kind::paused) {
        ended_ = r;
        pending_return_.reset();
        return Stop{StopReason::ended, 0, -1, ended_};
    }
    Stop s = stop_.value_or(Stop{});
    note(s);
    return s;
}

// Counts hits, retires temporary breakpoints, and follows a caught call to its return.
void ExecutionController::note(const Stop& s) {
    if (replaying_) return;
    if (s.reason == StopReason::breakpoint) {
        if (auto it = breakpoints_.find(s.number); it != breakpoints_.end()) {
            ++it->second.hits;
            if (it->second.temporary) breakpoints_.erase(it);
        }
    }
    if (s.reason == StopReason::syscall_call) {
        ++catches_[s.number].hits;
        pending_return_ = s.syscall_nr;
        pending_return_catch_ = s.number;
    } else if (cpl() == 3) {
        pending_return_.reset();
    }
}

// Counted in hook calls, so a loop on one instruction (jmp .) ends too.
uint64_t ExecutionController::limit() const {
    return options_.max_instructions > UINT64_MAX - firings_ ? UINT64_MAX : firings_ + options_.max_instructions;
}

Stop ExecutionController::step(uint64_t count) {
    Mode m;
    m.target = count > UINT64_MAX - executed_ ? UINT64_MAX : executed_ + count;
    m.limit = limit();
    return run(m);
}

// The instruction after a call, or after SYSCALL or `int` from ring 3: where
// nexti stops; nullopt for every other instruction (nexti is then stepi).
std::optional<uint64_t> ExecutionController::step_over_target() const {
    static const Disassembler dis;
    Cpu& cpu = session_->machine().cpu();
    uint64_t rip = cpu.reg(Reg::rip);
    uint8_t code[16] = {};
    if (!cpu.read_memory(rip, code, sizeof code)) return std::nullopt;
    auto insn = dis.one(code, rip);
    if (!insn) return std::nullopt;
    bool call = insn->id == X86_INS_CALL || insn->id == X86_INS_LCALL;
    bool enters_kernel = cpu.cpl() == 3 && (insn->id == X86_INS_SYSCALL || insn->id == X86_INS_INT);
    if (!call && !enters_kernel) return std::nullopt;
    return rip + insn->size;
}

Stop ExecutionController::next() {
    auto over_to = step_over_target();
    if (!over_to) return step(1);
    Mode m;
    m.until_address = over_to;
    m.until_cpl = cpl();
    m.limit = limit();
    m.breakpoints = true;
    return run(m);
}

Stop ExecutionController::resume() {
    Mode m;
    m.limit = limit();
    m.breakpoints = m.catches = true;
    m.until_user = pending_return_.has_value();
    return run(m);
}

Stop ExecutionController::finish() {
    Mode m;
    m.limit = limit();
    m.breakpoints = true;
    m.until_user = true;
    return run(m);
}

// A fresh session replayed, silently, to `position` instructions.
Stop ExecutionController::replay_to(uint64_t position, Mode mode) {
    replaying_ = true;
    close_session();
    Stop s{StopReason::history_start};
    if (auto r = open_session(); !r) {
        replaying_ = false;
        throw std::runtime_error("reverse execution: " + r.error());
    }
    if (position > 0) {
        mode.target = position;
        s = run(mode);
    }
    replaying_ = false;
    return s;
}

Stop ExecutionController::go_to(uint64_t position) {
    if (position >= executed_ && !ended_) return step(position - executed_);
    if (position == executed_) return Stop{StopReason::ended, 0, -1, ended_};
    Stop s = replay_to(position, Mode{});
    return position == 0 ? Stop{StopReason::history_start} : s;
}

Stop ExecutionController::reverse_step(uint64_t count) {
    return go_to(count >= executed_ ? 0 : executed_ - count);
}

Stop ExecutionController::reverse_resume() {
    std::vector<std::pair<uint64_t, Stop>> hits;
    Mode scan;
    scan.breakpoints = scan.catches = true;
    scan.hits = &hits;
    const uint64_t here = executed_;
    replay_to(here, scan);
    if (hits.empty()) return go_to(0);
    auto [at, why] = hits.back();
    if (at > 0) replay_to(at, Mode{});
    return why;
}

int ExecutionController::add_breakpoint(uint64_t address, bool temporary) {
    breakpoints_[next_number_] = Breakpoint{address, temporary};
    return next_number_++;
}

int ExecutionController::add_catch(std::optional<int64_t> syscall_nr) {
    catches_[next_number_] = SyscallCatch{syscall_nr};
    return next_number_++;
}

bool ExecutionController::remove(int number) { return breakpoints_.erase(number) + catches_.erase(number) > 0; }

std::string ExecutionController::take_output() {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = pread(output_fd_, buf, sizeof buf, off_t(output_shown_));
        if (n <= 0) return out;
        out.append(buf, size_t(n));
        output_shown_ += uint64_t(n);
    }
}

void ExecutionController::on_event(const Event& e) {
    if (!replaying_) events_.publish(e);
}

}  // namespace sysentry
