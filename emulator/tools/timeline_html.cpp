#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sysentry/timeline.hpp"

// The page template (timeline_page.html), embedded at build time.
extern "C" const char sysentry_timeline_page_start[], sysentry_timeline_page_end[];

namespace sysentry {

using nlohmann::json;

namespace {

json rows(const std::vector<ValueChange>& list) {
    json out = json::array();
    for (const ValueChange& c : list) out.push_back({c.name, fmt::format("{:#x}", c.before), fmt::format("{:#x}", c.after)});
    return out;
}

json page_data(const Timeline& t) {
    json spans = json::array(), calls = json::array(), marks = json::array();
    for (const RingSpan& s : t.spans) spans.push_back({s.begin, s.end, s.ring, s.pid});
    for (const TimelineCall& c : t.calls)
        calls.push_back({{"pid", c.pid}, {"name", c.name}, {"text", c.text}, {"entry", c.entry_at},
                         {"exit", c.exit_at}, {"ret", c.ret}});
    for (const TimelineMark& m : t.marks) {
        json j = {{"kind", to_string(m.kind)}, {"at", m.at}, {"pid", m.pid}, {"from", m.from_ring},
                  {"to", m.to_ring}, {"title", m.title}, {"regs", rows(m.registers)}, {"msrs", rows(m.msrs)},
                  {"detail", m.detail}};
        if (m.call) j["call"] = *m.call;
        marks.push_back(std::move(j));
    }
    return {{"total", t.total}, {"spans", spans}, {"calls", calls}, {"marks", marks}};
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

void replace_all(std::string& s, std::string_view what, std::string_view with) {
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size())) s.replace(at, what.size(), with);
}

}  // namespace

std::string timeline_html(const Timeline& t, std::string_view title) {
    std::string page(sysentry_timeline_page_start, sysentry_timeline_page_end);
    std::string data = page_data(t).dump(-1, ' ', false, json::error_handler_t::replace);
    replace_all(data, "</", "<\\/");  // "</script>" inside a string must not end the script element
    replace_all(page, "SYSENTRY_TITLE", html_escape(title));
    replace_all(page, "/*SYSENTRY_DATA*/", data);
    return page;
}

}  // namespace sysentry
