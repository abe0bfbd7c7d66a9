// The -c tool: strace's summary table (calls, errors, time per system call)
// instead of one line per call. Counts every process, as strace -c -f does.
#pragma once
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "sysentry/events.hpp"

namespace sysentry {

class StraceSummary final : public EventSink {
public:
    // `timed` false: report zero time, so a deterministic run prints the same table twice.
    explicit StraceSummary(bool timed) : timed_(timed) {}
    void on_event(const Event& e) override;
    void print(FILE* out) const;

private:
    struct Row {
        int64_t nr = 0;
        unsigned calls = 0, errors = 0;
        double seconds = 0;
    };
    bool timed_;
    std::map<std::string, Row> rows_;
    std::map<int, std::chrono::steady_clock::time_point> started_;  // per pid
};

}  // namespace sysentry
