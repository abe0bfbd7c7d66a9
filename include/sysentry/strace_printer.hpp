// The --trace tool: prints what `strace -f` would, from the event stream.
#pragma once
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "sysentry/events.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry {

class StracePrinter final : public EventSink {
public:
    explicit StracePrinter(FILE* out) : out_(out) {}
    void on_event(const Event& e) override;
    // strace -e trace=a,b: only these calls are printed (signals and exits always are).
    void only(std::set<std::string> names) { only_ = std::move(names); }
    // strace -f -o FILE: every line starts with its pid ("1000  write(...)"),
    // instead of "[pid N] " once there are several processes.
    void pid_on_every_line() { pid_on_every_line_ = true; }

private:
    struct Call {
        SyscallFormatter formatter;
        bool in_progress = false, shown_unfinished = false;
        bool shown = true;  // passes the -e filter
    };
    void entry(const SyscallEntryEvent& e);
    void exit(const SyscallExitEvent& e);
    void fault(const FaultEvent& e);
    void signal(const SignalEvent& e);
    void line(int pid, const std::string& text);
    void emit(const std::string& text);
    std::string prefix(int pid) const;

    FILE* out_;
    std::map<int, Call> calls_;  // per pid
    std::set<int> live_;         // traced processes; several: lines get "[pid N] "
    std::set<std::string> only_; // empty: every call
    bool pid_on_every_line_ = false;
};

}  // namespace sysentry
