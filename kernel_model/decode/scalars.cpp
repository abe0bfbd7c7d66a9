// Plain numbers, pointers and file descriptors.
#include <fmt/format.h>

#include "kinds.hpp"

namespace sysentry::decode {
namespace {

constexpr int32_t kAtFdcwd = -100;  // AT_FDCWD from <linux/fcntl.h>

std::optional<std::string> print_int(const CallView& c, size_t i) { return fmt::format("{}", c.int_arg(i)); }
std::optional<std::string> print_uint(const CallView& c, size_t i) { return fmt::format("{}", uint32_t(c.arg(i))); }
std::optional<std::string> print_long(const CallView& c, size_t i) { return fmt::format("{}", int64_t(c.arg(i))); }
std::optional<std::string> print_ulong(const CallView& c, size_t i) { return fmt::format("{}", c.arg(i)); }
std::optional<std::string> print_hex(const CallView& c, size_t i) { return hex(c.arg(i)); }
std::optional<std::string> print_ptr(const CallView& c, size_t i) { return addr(c.arg(i)); }

std::optional<std::string> print_dirfd(const CallView& c, size_t i) {
    if (c.int_arg(i) == kAtFdcwd) return "AT_FDCWD";
    return fmt::format("{}", c.int_arg(i));
}

std::optional<std::string> print_mode(const CallView& c, size_t i) {
    return fmt::format("{:#03o}", uint32_t(c.arg(i)));
}

}  // namespace

const ArgKind kInt{When::Entry, print_int};
const ArgKind kUint{When::Entry, print_uint};
const ArgKind kLong{When::Entry, print_long};
const ArgKind kUlong{When::Entry, print_ulong};
const ArgKind kHex{When::Entry, print_hex};
const ArgKind kPtr{When::Entry, print_ptr};
const ArgKind kFd{When::Entry, print_int};
const ArgKind kDirfd{When::Entry, print_dirfd};
const ArgKind kMode{When::Entry, print_mode};

}  // namespace sysentry::decode
