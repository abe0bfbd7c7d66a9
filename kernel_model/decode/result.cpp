// The " = ..." part of a line: success values per Ret kind, and errors.
#include <fmt/format.h>

#include <ctime>

#include "decode.hpp"
#include "flags.hpp"

namespace sysentry::decode {
namespace {

// Kernel-internal restart codes never reach user space; strace shows them
// with "?" instead of -1 because the call will be restarted or turn into EINTR.
constexpr uint64_t kErestartSys = 512;
constexpr uint64_t kErestartNoIntr = 513;
constexpr uint64_t kErestartNoHand = 514;
constexpr uint64_t kErestartRestartBlock = 516;

bool is_erestart(uint64_t err) {
    return err == kErestartSys || err == kErestartNoIntr || err == kErestartNoHand ||
           err == kErestartRestartBlock;
}

std::string format_error(uint64_t err) {
    const auto info = errno_info(err);
    if (!info) return fmt::format("-1 (errno {})", err);
    const char* lead = is_erestart(err) ? "?" : "-1";
    return fmt::format("{} {} ({})", lead, info->name, info->description);
}

std::string format_fcntl_result(uint64_t cmd, int64_t v) {
    switch (cmd) {
        case kFcntlGetFl: return fmt::format("{} (flags {})", hex(uint64_t(v)), format_open_flags(uint64_t(v)));
        case kFcntlGetFd:
            if (v == 0) return "0";
            return fmt::format("{} (flags {})", hex(uint64_t(v)), format_fd_flags(uint64_t(v)));
        default: return fmt::format("{}", v);
    }
}

}  // namespace

std::string hex(uint64_t v) { return v == 0 ? std::string("0") : fmt::format("{:#x}", v); }

std::string addr(uint64_t v) { return v == 0 ? std::string("NULL") : fmt::format("{:#x}", v); }

std::string format_time_comment(int64_t t) {
    const time_t tt = time_t(t);
    struct tm tm {};
    if (localtime_r(&tt, &tm) == nullptr) return fmt::format("{}", t);
    char buf[64];
    strftime(buf, sizeof buf, "%FT%T%z", &tm);
    return buf;
}

std::string format_result(Ret kind, const std::array<uint64_t, 6>& args, int64_t v) {
    if (kind == Ret::None) return "?";
    if (v < 0 && v >= -int64_t(kMaxErrno)) return format_error(uint64_t(-v));
    switch (kind) {
        case Ret::Hex: return hex(uint64_t(v));
        case Ret::Octal: return fmt::format("{:#03o}", uint64_t(v));
        case Ret::FcntlResult: return format_fcntl_result(uint32_t(args[1]), v);
        case Ret::Time: return fmt::format("{} ({})", v, format_time_comment(v));
        default: return fmt::format("{}", v);
    }
}

}  // namespace sysentry::decode
