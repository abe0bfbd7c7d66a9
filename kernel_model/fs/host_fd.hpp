// Private helpers shared by the sandboxed filesystem: an owning fd, a confined
// openat2 (the probe that tells procfs magic links from plain symlinks), and
// fd-based operations that plain f*() calls refuse on O_PATH descriptors.
#pragma once
#include <sys/types.h>

#include <expected>
#include <string>
#include <utility>

namespace sysentry::fs_detail {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_ = -1;
};

// openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS).
// Retries the -EAGAIN openat2 gives when a concurrent rename raced a "..".
std::expected<UniqueFd, int> open_in_root(int root_fd, const std::string& path, int flags,
                                          mode_t mode = 0);

// chmod of the inode an (O_PATH) fd names, without any further lookup.
int chmod_fd(int fd, mode_t mode);
// The magic link naming one of our own fds; it involves no guest path.
std::string proc_fd_path(int fd);
// Host path of an fd as the host kernel reports it (/proc/self/fd/N).
std::expected<std::string, int> host_path_of_fd(int fd);
// `errno` as a negative value, for the one-liners after a failed syscall.
int neg_errno();
// 0 for a syscall that returned 0, else -errno.
inline int status_of(long rc) { return rc == 0 ? 0 : neg_errno(); }

}  // namespace sysentry::fs_detail
