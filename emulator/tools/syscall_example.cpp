#include "sysentry/syscall_example.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "sysentry/strace_format.hpp"
#include "sysentry/user_memory.hpp"

// kernel_model/syscalls/table/syscall_examples.tbl, embedded by emulator/tools/CMakeLists.txt.
extern "C" const char sysentry_syscall_examples_tbl_start[];
extern "C" const char sysentry_syscall_examples_tbl_end[];

namespace sysentry {
namespace {

// Where sample strings live: a user-looking address, as a real trace would show.
constexpr uint64_t kSampleBase = 0x7ffc0000;

// One page of sample bytes; everything else reads as unmapped.
class SampleMemory final : public UserMemory {
public:
    uint64_t place(std::string_view bytes) {
        uint64_t va = kSampleBase + bytes_.size();
        bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
        bytes_.resize((bytes_.size() + 16) & ~size_t(15));  // a NUL, then the next aligned slot
        return va;
    }
    bool read(uint64_t va, void* dst, size_t len) const override {
        if (va < kSampleBase || va - kSampleBase + len > bytes_.size()) return false;
        std::memcpy(dst, bytes_.data() + (va - kSampleBase), len);
        return true;
    }
    bool write(uint64_t va, const void* src, size_t len) override {
        if (va < kSampleBase || va - kSampleBase + len > bytes_.size()) return false;
        std::memcpy(bytes_.data() + (va - kSampleBase), src, len);
        return true;
    }

private:
    std::vector<char> bytes_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::optional<int64_t> parse_number(std::string_view s) {
    bool negative = s.starts_with('-');
    if (negative) s.remove_prefix(1);
    int base = 10;
    if (s.starts_with("0x")) base = 16, s.remove_prefix(2);
    else if (s.size() > 1 && s.starts_with('0')) base = 8, s.remove_prefix(1);
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return negative ? -int64_t(v) : int64_t(v);
}

std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) { out += s[i]; continue; }
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c == '0' ? '\0' : c;
    }
    return out;
}

// An argument: a number, "string" or {N} bytes of zeroes, placed in `mem`.
std::optional<uint64_t> sample_argument(std::string_view text, SampleMemory& mem) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        return mem.place(unescape(text.substr(1, text.size() - 2)));
    if (text.size() >= 3 && text.front() == '{' && text.back() == '}') {
        auto n = parse_number(text.substr(1, text.size() - 2));
        if (!n || *n <= 0 || *n > 4096) return std::nullopt;
        return mem.place(std::string(size_t(*n), '\0'));
    }
    auto n = parse_number(text);
    return n ? std::optional<uint64_t>(uint64_t(*n)) : std::nullopt;
}

struct Sample {
    std::vector<std::string_view> args;
    std::string_view ret;
};

std::map<std::string_view, Sample> parse_samples(std::string_view text) {
    std::map<std::string_view, Sample> samples;
    for (int line_number = 1; !text.empty(); ++line_number) {
        size_t eol = text.find('\n');
        std::string_view line = trim(text.substr(0, eol));
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        if (line.empty() || line.front() == '#') continue;
        std::vector<std::string_view> fields;
        for (size_t at = 0;;) {
            size_t bar = line.find('|', at);
            fields.push_back(trim(line.substr(at, bar - at)));
            if (bar == std::string_view::npos) break;
            at = bar + 1;
        }
        if (fields.size() < 2 || fields.size() > 8 || !fields.back().starts_with("= "))
            throw std::runtime_error(fmt::format("syscall_examples.tbl:{}: expected <name> | args... | = <ret>", line_number));
        Sample s{{fields.begin() + 1, fields.end() - 1}, trim(fields.back().substr(2))};
        samples.emplace(fields.front(), s);
    }
    return samples;
}

const std::map<std::string_view, Sample>& samples() {
    static const auto table = parse_samples(
        {sysentry_syscall_examples_tbl_start, size_t(sysentry_syscall_examples_tbl_end - sysentry_syscall_examples_tbl_start)});
    return table;
}

}  // namespace

std::string example_strace_line(std::string_view name) {
    SampleMemory mem;
    std::array<uint64_t, 6> args{};
    int64_t ret = 0;
    if (auto it = samples().find(name); it != samples().end()) {
        for (size_t i = 0; i < it->second.args.size(); ++i) {
            auto v = sample_argument(it->second.args[i], mem);
            if (!v) throw std::runtime_error(fmt::format("syscall_examples.tbl: {}: bad argument '{}'", name, it->second.args[i]));
            args[i] = *v;
        }
        auto r = parse_number(it->second.ret);
        if (!r) throw std::runtime_error(fmt::format("syscall_examples.tbl: {}: bad return value", name));
        ret = *r;
    }
    SyscallFormatter f;
    f.on_entry(name, args, mem);
    if (name == "exit" || name == "exit_group") return f.unfinished_no_return();
    return f.on_exit(ret, mem);
}

}  // namespace sysentry
