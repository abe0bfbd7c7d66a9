#include "sysentry/calling_conventions.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

// table/calling_conventions.tbl, embedded by kernel_model/CMakeLists.txt.
extern "C" const char sysentry_calling_conventions_tbl_start[];
extern "C" const char sysentry_calling_conventions_tbl_end[];

namespace sysentry {
namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

// At most `max` fields: the last keeps any further '|' (a note's text may hold one).
std::vector<std::string> split_fields(std::string_view line, size_t max = 16) {
    std::vector<std::string> fields;
    for (size_t at = 0;;) {
        size_t bar = fields.size() + 1 == max ? std::string_view::npos : line.find('|', at);
        fields.push_back(trim(line.substr(at, bar - at)));
        if (bar == std::string_view::npos) return fields;
        at = bar + 1;
    }
}

std::optional<int> to_int(std::string_view s) {
    int n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return n;
}

// "1,6" -> {1, 6}; "" -> {}.
std::optional<std::vector<int>> note_list(std::string_view s) {
    std::vector<int> notes;
    for (size_t at = 0; at < s.size();) {
        size_t comma = std::min(s.find(',', at), s.size());
        auto n = to_int(trim(s.substr(at, comma - at)));
        if (!n) return std::nullopt;
        notes.push_back(*n);
        at = comma + 1;
    }
    return notes;
}

// One row into `cc`; false when its shape is wrong.
bool add_row(CallingConventions& cc, const std::vector<std::string>& f) {
    if (f[0] == "entry" && f.size() == 8) {
        auto notes = note_list(f[7]);
        if (!notes) return false;
        cc.entry.push_back({f[1], f[2], f[3], f[4], f[5], f[6], *notes});
        return true;
    }
    if (f[0] == "args" && f.size() == 10) {
        auto notes = note_list(f[9]);
        if (!notes) return false;
        cc.arguments.push_back({f[1], {f[2], f[3], f[4], f[5], f[6], f[7], f[8]}, *notes});
        return true;
    }
    if (f[0] == "note" && f.size() == 4 && (f[1] == "entry" || f[1] == "args")) {
        auto n = to_int(f[2]);
        if (!n) return false;
        cc.notes.push_back({f[1], *n, f[3]});
        return true;
    }
    return false;
}

}  // namespace

const AbiEntry* CallingConventions::find_entry(std::string_view arch) const {
    auto it = std::ranges::find(entry, arch, &AbiEntry::arch);
    return it == entry.end() ? nullptr : &*it;
}

const AbiArguments* CallingConventions::find_arguments(std::string_view arch) const {
    auto it = std::ranges::find(arguments, arch, &AbiArguments::arch);
    return it == arguments.end() ? nullptr : &*it;
}

std::expected<CallingConventions, std::string> parse_calling_conventions(std::string_view text) {
    CallingConventions cc;
    int line_number = 0;
    while (!text.empty()) {
        size_t eol = text.find('\n');
        std::string line = trim(text.substr(0, eol));
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++line_number;
        if (line.empty() || line.front() == '#') continue;
        if (!add_row(cc, split_fields(line, line.starts_with("note") ? 4 : 16)))
            return std::unexpected(fmt::format("line {}: malformed row '{}'", line_number, line));
    }
    return cc;
}

const CallingConventions& calling_conventions() {
    static const CallingConventions cc = [] {
        auto parsed = parse_calling_conventions(
            {sysentry_calling_conventions_tbl_start,
             size_t(sysentry_calling_conventions_tbl_end - sysentry_calling_conventions_tbl_start)});
        if (!parsed) throw std::runtime_error("calling_conventions.tbl: " + parsed.error());
        return *parsed;
    }();
    return cc;
}

}  // namespace sysentry
