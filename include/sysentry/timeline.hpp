// A run's privilege transitions over time (x = instructions executed), as the
// timeline tools show it: ring spans, a mark per SYSCALL, SYSRET, IRET,
// interrupt, fault, signal and exit, and each system call strace-decoded.
// TimelineRecorder collects it from the event stream; the renderers turn it
// into the terminal strip (`run --timeline`), Chrome trace-event JSON
// (`--perfetto`) and the self-contained HTML page (`timeline -o`).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysentry/events.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry {

class Session;

// Instructions [begin, end) ran in `ring`; `pid` was running when the span began.
struct RingSpan {
    uint64_t begin, end;
    unsigned ring;
    int pid;
};

struct ValueChange {
    std::string name;
    uint64_t before, after;
};

// One system call, as strace prints it.
struct TimelineCall {
    int pid;
    std::string name;
    std::string text;             // the strace line, complete once the call returned
    uint64_t entry_at, exit_at;   // instruction counts
    int64_t ret = 0;
    bool finished = false;
};

enum class MarkKind { syscall, sysret, iret, interrupt, fault, signal, exit };
std::string_view to_string(MarkKind kind);  // "SYSCALL", "SYSRET", ...

struct TimelineMark {
    MarkKind kind;
    uint64_t at;                      // instructions executed when it happened
    int pid;
    unsigned from_ring, to_ring;
    std::string title;                // "SYSCALL write", "#PF -> SIGSEGV"
    std::optional<size_t> call;       // index into Timeline::calls
    std::vector<ValueChange> registers;  // the registers the transition changed
    std::vector<ValueChange> msrs;       // the MSRs it used, against the previous transition
    std::string detail;               // one more line for faults, signals and exits
};

struct Timeline {
    std::vector<RingSpan> spans;
    std::vector<TimelineMark> marks;
    std::vector<TimelineCall> calls;
    uint64_t total = 0;  // instructions in the run
};

class TimelineRecorder final : public EventSink {
public:
    static constexpr unsigned kInterest = kTransitions | kSyscalls | kFaults | kExits | kInstructionCount;
    explicit TimelineRecorder(Session& session);
    void on_event(const Event& e) override;
    // Closes the last span; call once the run has ended.
    const Timeline& finish();
    const Timeline& timeline() const { return timeline_; }

private:
    struct PerProcess {
        SyscallFormatter formatter;
        std::optional<size_t> entry_mark;  // the SYSCALL mark waiting for its call
        std::optional<size_t> open_call;   // entered, to be linked to the return mark
    };
    void transition(const TransitionEvent& t);
    void entry(const SyscallEntryEvent& e);
    void exit(const SyscallExitEvent& e);
    void mark(TimelineMark m);
    std::vector<ValueChange> msr_changes();
    int current_pid() const;
    uint64_t now() const;

    Session& session_;
    Timeline timeline_;
    std::map<int, PerProcess> processes_;
    uint64_t span_begin_ = 0;
    unsigned ring_ = 0;  // the machine boots in ring 0
    int span_pid_ = 0;
    std::vector<uint64_t> last_msrs_;
};

// The ring-over-time strip: one column per slice of the run, a lane per ring.
// `unicode`: block characters and colour; else plain ASCII.
std::string timeline_strip(const Timeline& t, size_t width, bool unicode);

// Chrome trace-event JSON (chrome://tracing, ui.perfetto.dev): a track per
// ring, a slice per system call; 1 µs on its time axis is one instruction.
std::string perfetto_json(const Timeline& t);

// One HTML page with its CSS, script and data inline: no network needed.
std::string timeline_html(const Timeline& t, std::string_view title);

}  // namespace sysentry
