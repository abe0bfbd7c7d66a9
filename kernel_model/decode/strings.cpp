// String and buffer rendering with strace's escaping rules (strace without -x).
#include <fmt/format.h>

#include <algorithm>

#include "decode.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry::decode {
namespace {

bool is_printable(unsigned char c) { return c >= ' ' && c < 0x7f; }
bool is_octal_digit(unsigned char c) { return c >= '0' && c <= '7'; }

// Octal escape as short as possible, unless the next byte is an octal digit:
// then three digits, so "\0" followed by '1' reads back unambiguously ("\0001").
void append_octal(std::string& out, unsigned char c, bool next_is_digit) {
    out.push_back('\\');
    if (next_is_digit) {
        out.push_back(char('0' + (c >> 6)));
        out.push_back(char('0' + ((c >> 3) & 7)));
    } else {
        if (c >> 6) out.push_back(char('0' + (c >> 6)));
        if (c >> 3) out.push_back(char('0' + ((c >> 3) & 7)));
    }
    out.push_back(char('0' + (c & 7)));
}

std::optional<char> c_escape(unsigned char c) {
    switch (c) {
        case '"': return '"';
        case '\\': return '\\';
        case '\f': return 'f';
        case '\n': return 'n';
        case '\r': return 'r';
        case '\t': return 't';
        case '\v': return 'v';
        default: return std::nullopt;
    }
}

}  // namespace

std::string quote(std::string_view bytes, bool force_hex) {
    std::string out = "\"";
    for (size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (force_hex) {
            out += fmt::format("\\x{:02x}", c);
        } else if (auto e = c_escape(c)) {
            out.push_back('\\');
            out.push_back(*e);
        } else if (is_printable(c)) {
            out.push_back(char(c));
        } else {
            const bool next_digit =
                i + 1 < bytes.size() && is_octal_digit(static_cast<unsigned char>(bytes[i + 1]));
            append_octal(out, c, next_digit);
        }
    }
    out.push_back('"');
    return out;
}

std::string format_buffer(const UserMemory& mem, uint64_t va, uint64_t len, bool force_hex) {
    if (va == 0) return "NULL";
    const size_t shown = size_t(std::min<uint64_t>(len, kStraceMaxStrlen));
    std::string bytes(shown, '\0');
    if (shown != 0 && !mem.read(va, bytes.data(), shown)) return addr(va);
    std::string out = quote(bytes, force_hex);
    if (len > shown) out += "...";
    return out;
}

std::string format_cstring(const UserMemory& mem, uint64_t va, size_t limit) {
    if (va == 0) return "NULL";
    std::string s;
    // Read one byte past the limit: a NUL there means nothing was cut off.
    for (size_t i = 0; i <= limit; ++i) {
        char c = 0;
        if (!mem.read(va + i, &c, 1)) return addr(va);
        if (c == '\0') return quote(s);
        if (i < limit) s.push_back(c);
    }
    return quote(s) + "...";
}

}  // namespace sysentry::decode
