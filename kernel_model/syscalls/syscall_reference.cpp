#include "sysentry/syscall_reference.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

// table/syscall_reference.tbl, embedded by kernel_model/CMakeLists.txt.
extern "C" const char sysentry_syscall_reference_tbl_start[];
extern "C" const char sysentry_syscall_reference_tbl_end[];

namespace sysentry {
namespace {

constexpr std::string_view kCategoryNames[] = {"process", "file", "device", "information", "communication"};
constexpr std::string_view kCategoryTitles[] = {"process control", "file management", "device management",
                                                "information maintenance", "communication"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Splits off the first blank-separated word of `line`.
std::string_view take_word(std::string_view& line) {
    line = trim(line);
    size_t end = line.find_first_of(" \t");
    std::string_view word = line.substr(0, end);
    line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
    return word;
}

std::vector<SyscallReference> parse_table(std::string_view text) {
    std::vector<SyscallReference> rows;
    int line_number = 0;
    while (!text.empty()) {
        size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++line_number;
        if (trim(line).empty() || trim(line).front() == '#') continue;
        std::string_view name = take_word(line), category = take_word(line), signature = trim(line);
        auto parsed = parse_category(category);
        if (!parsed || signature.empty())
            throw std::runtime_error(fmt::format("syscall_reference.tbl:{}: expected <name> <category> <signature|->", line_number));
        rows.push_back({name, *parsed, signature == "-" ? std::string_view{} : signature});
    }
    std::ranges::sort(rows, {}, &SyscallReference::name);
    return rows;
}

const std::vector<SyscallReference>& table() {
    static const std::vector<SyscallReference> rows = parse_table(
        {sysentry_syscall_reference_tbl_start, size_t(sysentry_syscall_reference_tbl_end - sysentry_syscall_reference_tbl_start)});
    return rows;
}

}  // namespace

std::string_view to_string(SyscallCategory category) { return kCategoryNames[size_t(category)]; }
std::string_view category_title(SyscallCategory category) { return kCategoryTitles[size_t(category)]; }

std::optional<SyscallCategory> parse_category(std::string_view text) {
    for (SyscallCategory c : kSyscallCategories)
        if (text == to_string(c) || text == category_title(c)) return c;
    return std::nullopt;
}

std::span<const SyscallReference> syscall_references() { return table(); }

const SyscallReference* find_syscall_reference(std::string_view name) {
    auto& rows = table();
    auto it = std::ranges::lower_bound(rows, name, {}, &SyscallReference::name);
    return it != rows.end() && it->name == name ? &*it : nullptr;
}

}  // namespace sysentry
