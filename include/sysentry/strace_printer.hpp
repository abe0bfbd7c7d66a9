// The --trace tool: prints what `strace -f` would, from the event stream.
#pragma once
#include <cstdio>
#include <map>

#include "sysentry/events.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry {

class StracePrinter final : public EventSink {
public:
    explicit StracePrinter(FILE* out) : out_(out) {}
    void on_event(const Event& e) override;

private:
    void entry(const SyscallEntryEvent& e);
    void exit(const SyscallExitEvent& e);
    void fault(const FaultEvent& e);
    void line(const std::string& text);

    FILE* out_;
    std::map<int, SyscallFormatter> calls_;  // the call in progress, per pid
};

}  // namespace sysentry
