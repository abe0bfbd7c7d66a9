// Flag and enumeration renderers shared between argument kinds and results.
#pragma once
#include <cstdint>
#include <string>

namespace sysentry::decode {

inline constexpr uint64_t kFcntlGetFd = 1;  // F_GETFD
inline constexpr uint64_t kFcntlGetFl = 3;  // F_GETFL

// "O_WRONLY|O_CREAT|O_APPEND": access mode first, then the other bits.
std::string format_open_flags(uint64_t flags);
// "STATX_BASIC_STATS|STATX_MNT_ID"
std::string format_statx_mask(uint64_t mask);
// "FD_CLOEXEC"
std::string format_fd_flags(uint64_t flags);
// "2026-11-23T11:44:01+0000" in the host's local time, as strace's sprinttime.
std::string format_time_comment(int64_t t);

}  // namespace sysentry::decode
