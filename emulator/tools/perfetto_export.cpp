#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "sysentry/timeline.hpp"

namespace sysentry {

using nlohmann::json;

namespace {

// Each guest pid is a Perfetto process with two threads (tracks): its rings.
constexpr int ring_track(unsigned ring) { return ring == 3 ? 3 : 0; }

json metadata(const char* what, int pid, int tid, const std::string& name) {
    json e = {{"ph", "M"}, {"name", what}, {"pid", pid}, {"args", {{"name", name}}}};
    if (tid >= 0) e["tid"] = tid;
    return e;
}

json changes(const std::vector<ValueChange>& list, bool only_changed) {
    json out = json::object();
    for (const ValueChange& c : list)
        if (!only_changed || c.before != c.after) out[c.name] = fmt::format("{:#x} -> {:#x}", c.before, c.after);
    return out;
}

}  // namespace

// ts and dur are in microseconds in this format; here one unit is one instruction.
std::string perfetto_json(const Timeline& t) {
    json events = json::array();
    std::set<int> pids;
    for (const RingSpan& s : t.spans) {
        pids.insert(s.pid);
        events.push_back({{"ph", "X"}, {"name", fmt::format("ring {}", s.ring)}, {"cat", "ring"}, {"pid", s.pid},
                          {"tid", ring_track(s.ring)}, {"ts", s.begin}, {"dur", s.end - s.begin}});
    }
    for (const TimelineCall& c : t.calls) {
        pids.insert(c.pid);
        events.push_back({{"ph", "X"}, {"name", c.name}, {"cat", "syscall"}, {"pid", c.pid}, {"tid", ring_track(0)},
                          {"ts", c.entry_at}, {"dur", c.exit_at - c.entry_at},
                          {"args", {{"strace", c.text}, {"ret", c.ret}}}});
    }
    for (const TimelineMark& m : t.marks) {
        json args = {{"from_ring", m.from_ring}, {"to_ring", m.to_ring}};
        if (!m.registers.empty()) args["registers"] = changes(m.registers, false);
        if (!m.msrs.empty()) args["msrs"] = changes(m.msrs, true);
        if (!m.detail.empty()) args["detail"] = m.detail;
        if (m.call) args["strace"] = t.calls[*m.call].text;
        events.push_back({{"ph", "i"}, {"s", "t"}, {"name", m.title}, {"cat", std::string(to_string(m.kind))},
                          {"pid", m.pid}, {"tid", ring_track(m.to_ring)}, {"ts", m.at}, {"args", args}});
    }
    for (int pid : pids) {
        events.push_back(metadata("process_name", pid, -1, fmt::format("guest pid {}", pid)));
        events.push_back(metadata("thread_name", pid, ring_track(3), "ring 3 (user)"));
        events.push_back(metadata("thread_name", pid, ring_track(0), "ring 0 (kernel)"));
    }
    json doc = {{"traceEvents", events},
                {"displayTimeUnit", "ns"},
                {"otherData", {{"tool", "sysentry"}, {"time_axis", "1 us = 1 instruction executed"},
                               {"instructions", t.total}}}};
    return doc.dump(1, ' ', false, json::error_handler_t::replace);  // guest bytes need not be UTF-8
}

}  // namespace sysentry
