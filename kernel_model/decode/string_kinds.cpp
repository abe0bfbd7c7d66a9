// Argument kinds made of strings: paths, buffers, iovecs, argv/envp.
#include <fmt/format.h>

#include <algorithm>

#include "kinds.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry::decode {
namespace {

constexpr size_t kPathMax = 4096;  // PATH_MAX: strace never cuts paths shorter than this
constexpr uint64_t kUnlimited = ~uint64_t{0};

struct Iovec {
    uint64_t base;
    uint64_t len;
};

std::optional<std::string> print_path(const CallView& c, size_t i) {
    return format_cstring(c.mem, c.arg(i), kPathMax);
}
std::optional<std::string> print_cstr(const CallView& c, size_t i) {
    return format_cstring(c.mem, c.arg(i), kStraceMaxStrlen);
}
std::optional<std::string> print_in_buf(const CallView& c, size_t i) {
    return format_buffer(c.mem, c.arg(i), c.arg(i + 1));
}
std::optional<std::string> print_out_buf(const CallView& c, size_t i) {
    return format_buffer(c.mem, c.arg(i), uint64_t(c.ret));
}
std::optional<std::string> print_random_buf(const CallView& c, size_t i) {
    return format_buffer(c.mem, c.arg(i), uint64_t(c.ret), /*force_hex=*/true);
}

// getcwd: the returned length counts the NUL; strace shows the whole path.
std::optional<std::string> print_out_path_buf(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    const size_t len = size_t(std::min<uint64_t>(uint64_t(c.ret), kPathMax));
    std::string s(len, '\0');
    if (len != 0 && !c.mem.read(c.arg(i), s.data(), len)) return addr(c.arg(i));
    if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
    return quote(s);
}

// Up to kStraceMaxStrlen elements, each buffer cut at kStraceMaxStrlen bytes;
// `data_left` limits what readv shows to the bytes actually transferred.
std::string format_iovec(const UserMemory& mem, uint64_t va, uint64_t count, uint64_t data_left) {
    if (va == 0) return "NULL";
    std::string out = "[";
    for (uint64_t k = 0; k < count; ++k) {
        if (k == kStraceMaxStrlen) {
            out += ", ...";
            break;
        }
        Iovec iov{};
        if (!mem.read(va + k * sizeof iov, &iov, sizeof iov)) {
            if (k == 0) return addr(va);
            out += ", ...";
            break;
        }
        const uint64_t shown = std::min(iov.len, data_left);
        if (data_left != kUnlimited) data_left -= shown;
        if (k != 0) out += ", ";
        out += fmt::format("{{iov_base={}, iov_len={}}}", format_buffer(mem, iov.base, shown), iov.len);
    }
    return out + "]";
}

std::optional<std::string> print_iovec_in(const CallView& c, size_t i) {
    return format_iovec(c.mem, c.arg(i), c.arg(i + 1), kUnlimited);
}
std::optional<std::string> print_iovec_out(const CallView& c, size_t i) {
    return format_iovec(c.mem, c.arg(i), c.arg(i + 1), uint64_t(c.ret));
}

std::optional<std::string> print_argv(const CallView& c, size_t i) {
    const uint64_t va = c.arg(i);
    if (va == 0) return "NULL";
    std::string out = "[";
    for (uint64_t k = 0;; ++k) {
        uint64_t p = 0;
        if (!c.mem.read(va + k * 8, &p, 8)) {
            if (k == 0) return addr(va);
            out += ", ...";
            break;
        }
        if (p == 0) break;
        if (k != 0) out += ", ";
        if (k == kStraceMaxStrlen) {
            out += "...";
            break;
        }
        out += format_cstring(c.mem, p, kStraceMaxStrlen);
    }
    return out + "]";
}

// strace does not show the environment by default, only how many strings it holds.
std::optional<std::string> print_envp(const CallView& c, size_t i) {
    const uint64_t va = c.arg(i);
    if (va == 0) return "NULL";
    uint64_t n = 0;
    for (uint64_t p = 1; p != 0; ++n) {
        if (!c.mem.read(va + n * 8, &p, 8)) return addr(va);
    }
    --n;  // the terminating NULL
    return fmt::format("{:#x} /* {} var{} */", va, n, n == 1 ? "" : "s");
}

}  // namespace

const ArgKind kPath{When::Entry, print_path};
const ArgKind kCStr{When::Entry, print_cstr};
const ArgKind kInBuf{When::Entry, print_in_buf};
const ArgKind kOutBuf{When::ExitOnSuccess, print_out_buf};
const ArgKind kOutPathBuf{When::ExitOnSuccess, print_out_path_buf};
const ArgKind kRandomBuf{When::ExitOnSuccess, print_random_buf};
const ArgKind kIovecIn{When::Entry, print_iovec_in};
const ArgKind kIovecOut{When::ExitOnSuccess, print_iovec_out};
const ArgKind kArgv{When::Entry, print_argv};
const ArgKind kEnvp{When::Entry, print_envp};

}  // namespace sysentry::decode
