// Private helpers the service families share for decoding arguments: guest
// path strings, (dirfd, path) pairs and user buffers, each copied through the
// guest page tables with the errno Linux gives for a bad one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "sysentry/fd_table.hpp"
#include "sysentry/sandbox_fs.hpp"
#include "sysentry/user_memory.hpp"

namespace sysentry::syscall_args {

constexpr size_t kPageSize = 4096;
constexpr size_t kPathMax = 4096;                          // PATH_MAX, counting the NUL
constexpr uint64_t kTaskSizeMax = (1ull << 47) - kPageSize;  // TASK_SIZE_MAX: top of user space
constexpr size_t kMaxRwCount = 0x7fffffff & ~(kPageSize - 1);  // MAX_RW_COUNT = INT_MAX & PAGE_MASK
constexpr int kAtFdcwd = -100;                              // AT_FDCWD

// getname(): the NUL-terminated guest string at `va`. -EFAULT when a byte
// before the NUL is unreadable, -ENAMETOOLONG when PATH_MAX bytes hold no NUL,
// -ENOENT for "" unless `allow_empty` (LOOKUP_EMPTY, i.e. AT_EMPTY_PATH).
std::expected<std::string, int> copy_path(const UserMemory& mm, uint64_t va, bool allow_empty = false);

// access_ok(): [va, va + len) lies in user space without wrapping.
bool access_ok(uint64_t va, uint64_t len);

// copy_from_user/copy_to_user that stop at the first inaccessible page and
// report how many bytes made it, as the kernel's short copies do.
size_t copy_from_user_prefix(const UserMemory& mm, uint64_t va, void* dst, size_t len);
size_t copy_to_user_prefix(UserMemory& mm, uint64_t va, const void* src, size_t len);
// How many bytes from `va` a copy_to_user would reach, found without changing
// guest memory (each page is read and written back). Lets read() avoid
// consuming input it could not deliver.
size_t writable_prefix(UserMemory& mm, uint64_t va, size_t len);

// The guest-absolute path that (dirfd, path) names, as the start of a kernel
// path walk sees it: absolute paths ignore dirfd; AT_FDCWD means `cwd`; any
// other dirfd must be an open directory (-EBADF, -ENOTDIR otherwise). Relative
// paths under a directory fd follow that directory across renames.
std::expected<std::string, int> resolve_at(const SandboxFs& fs, const FdTable& fds, std::string_view cwd,
                                           int dirfd, std::string_view path);

}  // namespace sysentry::syscall_args
