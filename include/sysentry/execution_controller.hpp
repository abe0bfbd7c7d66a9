// Runs one program under control: single steps, breakpoints, catchpoints,
// run-until-ring-3, and exact reverse execution. No user interface: the
// stepper (`sysentry step`) and a gdb remote stub both drive it.
//
// A step is one architectural instruction. The carrier's helper instructions
// (docs/carrier.md) are never a stopping point, so a step on SYSCALL lands on
// the first instruction of entry_SYSCALL_64, and a step on SYSRETQ on the user's
// next instruction. Positions count the steps taken since the program's first
// instruction. Reverse execution re-runs the program in a fresh Session to an
// earlier position: the session is deterministic and the guest's stdin is
// /dev/null (or a file), so registers, memory and the kernel model's state are
// then exactly what they were.
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sysentry/events.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/session.hpp"

namespace sysentry {

struct ControllerOptions {
    SessionOptions session;                 // kernel.deterministic is forced on
    std::optional<std::string> stdin_file;  // the guest's stdin; default /dev/null
    uint64_t max_instructions = 50'000'000; // per command: a continue never hangs
};

enum class StopReason {
    step,              // the steps asked for were taken
    breakpoint,
    syscall_call,      // a catchpoint: SYSCALL about to execute in ring 3
    syscall_return,    // a catchpoint: back in ring 3 after that call
    user_mode,         // finish: back in ring 3
    history_start,     // reverse execution reached the program's first instruction
    limit,             // max_instructions ran without another reason to stop
    ended,             // the program ended (see result)
};

struct Stop {
    StopReason reason = StopReason::step;
    int number = 0;          // the breakpoint or catchpoint
    int64_t syscall_nr = -1; // for syscall_call / syscall_return
    std::optional<RunResult> result;  // ended: how
};

struct Breakpoint {
    uint64_t address;
    bool temporary;
    uint64_t hits = 0;
};

struct SyscallCatch {
    std::optional<int64_t> nr;  // nullopt: every call
    uint64_t hits = 0;
};

class ExecutionController final : private EventSink {
public:
    // Boots the machine and stops at the program's first instruction (position 0).
    static std::expected<std::unique_ptr<ExecutionController>, std::string> start(Program program,
                                                                                  ControllerOptions options);
    ~ExecutionController() override;

    Stop step(uint64_t count = 1);  // stepi
    Stop next();                    // nexti: over a call, and over a whole system call from ring 3
    Stop resume();                  // continue: to a breakpoint, catchpoint or the end
    Stop finish();                  // until the next instruction in ring 3
    Stop reverse_step(uint64_t count = 1);
    Stop reverse_resume();          // back to the last breakpoint or catchpoint hit
    Stop go_to(uint64_t position);  // forward, or by re-execution backwards

    uint64_t position() const { return executed_; }
    bool alive() const { return !ended_; }
    const std::optional<RunResult>& end() const { return ended_; }

    int add_breakpoint(uint64_t address, bool temporary = false);
    int add_catch(std::optional<int64_t> syscall_nr);
    bool remove(int number);  // a breakpoint or a catchpoint
    const std::map<int, Breakpoint>& breakpoints() const { return breakpoints_; }
    const std::map<int, SyscallCatch>& catches() const { return catches_; }

    // The live session's machine and kernel (replaced by reverse execution).
    Session& session() { return *session_; }
    // Events of the live session; silent while reverse execution replays.
    EventBus& events() { return events_; }
    // What the guest wrote to fds 1 and 2 that was not yet taken.
    std::string take_output();

    ExecutionController(const ExecutionController&) = delete;
    ExecutionController& operator=(const ExecutionController&) = delete;

private:
    struct Mode {
        uint64_t target = UINT64_MAX;       // stop when this many instructions ran
        uint64_t limit = UINT64_MAX;        // hook calls: stop here with StopReason::limit
        bool breakpoints = false, catches = false;
        bool until_user = false;            // stop at the first ring-3 instruction
        std::optional<uint64_t> until_address;  // nexti: the instruction after this one
        unsigned until_cpl = 0;
        std::vector<std::pair<uint64_t, Stop>>* hits = nullptr;  // reverse scan: record, do not stop
    };
    ExecutionController(Program program, ControllerOptions options);
    std::expected<void, std::string> open_session();
    void close_session();
    Stop run(Mode mode);
    Stop replay_to(uint64_t position, Mode mode);
    void note(const Stop& s);
    uint64_t limit() const;
    unsigned cpl() const;
    std::optional<uint64_t> step_over_target() const;
    bool is_carrier(uint64_t address) const;
    bool event_stop(uint64_t address, Stop& why);
    bool catch_matches(uint64_t address, Stop& why);
    void on_event(const Event& e) override;
    static void on_instruction(uc_engine*, uint64_t address, uint32_t size, void* user);

    Program program_;
    ControllerOptions options_;
    std::unique_ptr<Session> session_;
    Hook hook_;
    int input_fd_ = -1, output_fd_ = -1;
    uint64_t carrier_landing_ = 0, carrier_iret_ = 0;
    uint64_t output_shown_ = 0;  // bytes of guest output already taken, over every replay
    EventBus events_;
    bool replaying_ = false;

    bool counting_ = false;   // off while booting
    bool refire_ = false;     // the next hook is the instruction we stopped before
    uint64_t executed_ = 0;
    uint64_t firings_ = 0;        // hook calls: what the per-command limit counts
    uint64_t last_executed_ = 0;  // a hook here again, next, is a retry of it
    Mode mode_;
    std::optional<Stop> stop_;
    std::optional<RunResult> ended_;
    std::optional<int64_t> pending_return_;  // a caught call, until it returns to ring 3
    int pending_return_catch_ = 0;

    std::map<int, Breakpoint> breakpoints_;
    std::map<int, SyscallCatch> catches_;
    int next_number_ = 1;
};

}  // namespace sysentry
