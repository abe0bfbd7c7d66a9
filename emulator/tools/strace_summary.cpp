#include "sysentry/strace_summary.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace sysentry {

void StraceSummary::on_event(const Event& e) {
    if (auto* s = std::get_if<SyscallEntryEvent>(&e)) {
        started_[s->pid] = std::chrono::steady_clock::now();
        return;
    }
    auto* x = std::get_if<SyscallExitEvent>(&e);
    if (!x || !x->returns) return;  // exit and exit_group are not counted, as in strace
    std::string name = x->name.empty() ? fmt::format("syscall_{:#x}", x->nr) : std::string(x->name);
    Row& r = rows_[name];
    r.nr = x->nr;
    ++r.calls;
    if (x->ret < 0 && x->ret >= -4095) ++r.errors;
    if (timed_ && started_.contains(x->pid))
        r.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started_[x->pid]).count();
}

// strace's layout: "%6.2f %11.6f %11lu %9u %9s %s", by time, then by number.
void StraceSummary::print(FILE* out) const {
    std::vector<std::pair<std::string, Row>> rows(rows_.begin(), rows_.end());
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.second.seconds != b.second.seconds ? a.second.seconds > b.second.seconds : a.second.nr < b.second.nr;
    });
    size_t width = 16;
    double total_s = 0;
    unsigned calls = 0, errors = 0;
    for (const auto& [name, r] : rows) {
        width = std::max(width, name.size());
        total_s += r.seconds;
        calls += r.calls;
        errors += r.errors;
    }
    std::string rule = fmt::format("------ ----------- ----------- --------- --------- {}\n", std::string(width, '-'));
    std::string text = "% time     seconds  usecs/call     calls    errors syscall\n" + rule;
    auto line = [&](double pct, double s, unsigned n, unsigned err, const std::string& name) {
        std::string e = err ? std::to_string(err) : "";
        text += fmt::format("{:6.2f} {:11.6f} {:11} {:9} {:>9} {}\n", pct, s, n ? uint64_t(s * 1e6 / n) : 0, n, e, name);
    };
    for (const auto& [name, r] : rows) line(total_s > 0 ? 100.0 * r.seconds / total_s : 0.0, r.seconds, r.calls, r.errors, name);
    text += rule;
    line(100.0, total_s, calls, errors, "total");
    std::fputs(text.c_str(), out);
}

}  // namespace sysentry
