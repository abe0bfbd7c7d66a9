#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sysentry/timeline.hpp"

namespace sysentry {

namespace {

// How much of each column's instructions ran in `ring`, 0..1.
std::vector<double> shares(const Timeline& t, unsigned ring, size_t width) {
    std::vector<double> out(width, 0.0);
    const double per_column = double(t.total) / double(width);
    for (const RingSpan& s : t.spans) {
        if (s.ring != ring || s.end <= s.begin) continue;
        size_t first = size_t(double(s.begin) / per_column), last = size_t(double(s.end - 1) / per_column);
        for (size_t c = first; c <= std::min(last, width - 1); ++c) {
            double lo = std::max(double(s.begin), double(c) * per_column);
            double hi = std::min(double(s.end), double(c + 1) * per_column);
            if (hi > lo) out[c] += (hi - lo) / per_column;
        }
    }
    return out;
}

// A bar height for a share: nothing only when the ring never ran there.
std::string_view bar(double share, bool unicode) {
    static constexpr std::array<std::string_view, 9> kBlocks = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static constexpr std::array<std::string_view, 5> kAscii = {" ", ".", ":", "+", "#"};
    if (share <= 0) return " ";
    if (unicode) return kBlocks[std::clamp<size_t>(size_t(share * 8 + 0.5), 1, 8)];
    return kAscii[std::clamp<size_t>(size_t(share * 4 + 0.5), 1, 4)];
}

// The most telling mark in each column: fault, exit, signal, then system call.
std::string marks_row(const Timeline& t, size_t width) {
    std::string row(width, ' ');
    auto rank = [](char c) { return std::string_view(" SI!xF").find(c); };
    for (const TimelineMark& m : t.marks) {
        char c = 0;
        switch (m.kind) {
        case MarkKind::syscall: c = 'S'; break;
        case MarkKind::interrupt: c = 'I'; break;
        case MarkKind::signal: c = '!'; break;
        case MarkKind::exit: c = 'x'; break;
        case MarkKind::fault: c = 'F'; break;
        default: continue;
        }
        size_t col = std::min(width - 1, size_t(double(m.at) * double(width) / double(t.total)));
        if (col < width && rank(c) > rank(row[col])) row[col] = c;
    }
    return row;
}

}  // namespace

std::string timeline_strip(const Timeline& t, size_t width, bool unicode) {
    if (t.total == 0) return "timeline: no instructions were counted\n";
    width = std::clamp<size_t>(std::min<uint64_t>(width, t.total), 1, 1000);
    const char* colour[2] = {unicode ? "\033[31m" : "", unicode ? "\033[32m" : ""};  // ring 0 red, ring 3 green
    const char* reset = unicode ? "\033[0m" : "";
    std::string out;
    for (unsigned ring : {3u, 0u}) {
        out += fmt::format("ring {} |{}", ring, colour[ring == 3]);
        for (double s : shares(t, ring, width)) out += bar(s, unicode);
        out += fmt::format("{}|\n", reset);
    }
    out += fmt::format("marks  |{}|\n", marks_row(t, width));
    std::string end = fmt::format("{} instructions", t.total);
    out += fmt::format("        0{:>{}}\n", end, width > 1 ? width - 1 : 1);  // under the first and last columns
    size_t calls = std::ranges::count_if(t.marks, [](const TimelineMark& m) {
        return m.kind == MarkKind::syscall || m.kind == MarkKind::interrupt;
    });
    out += fmt::format("one column = {:.1f} instructions; bar height = share of the column spent in that ring; "
                       "marks: S syscall, I int, ! signal, F fault, x exit ({} entries to ring 0)\n",
                       double(t.total) / double(width), calls);
    return out;
}

}  // namespace sysentry
