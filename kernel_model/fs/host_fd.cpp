#include "host_fd.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace sysentry::fs_detail {

namespace {
// fchmodat2(2) arrived in Linux 6.6; bookworm's headers predate it.
constexpr long kSysFchmodat2 = 452;
// A race with a concurrent rename makes openat2 give up with -EAGAIN; a few
// retries are what the man page suggests before reporting it.
constexpr int kOpenat2Retries = 8;
}  // namespace

std::string proc_fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
}

int neg_errno() { return -errno; }

std::expected<UniqueFd, int> open_in_root(int root_fd, const std::string& path, int flags,
                                          mode_t mode) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = mode;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
        long fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
        if (fd >= 0) return UniqueFd(static_cast<int>(fd));
        if (errno != EAGAIN || attempt == kOpenat2Retries) return std::unexpected(-errno);
    }
}

int chmod_fd(int fd, mode_t mode) {
    if (::syscall(kSysFchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0) return 0;
    if (errno != ENOSYS && errno != EINVAL) return -errno;
    // Older hosts (fchmodat2 without AT_EMPTY_PATH): chmod through the fd's
    // magic link, as glibc does.
    std::string proc_path = proc_fd_path(fd);
    return ::chmod(proc_path.c_str(), mode) == 0 ? 0 : -errno;
}

std::expected<std::string, int> host_path_of_fd(int fd) {
    std::string proc_path = proc_fd_path(fd);
    std::string buf(PATH_MAX, '\0');
    ssize_t n = ::readlink(proc_path.c_str(), buf.data(), buf.size());
    if (n < 0) return std::unexpected(-errno);
    if (static_cast<size_t>(n) == buf.size()) return std::unexpected(-ENAMETOOLONG);
    buf.resize(static_cast<size_t>(n));
    return buf;
}

}  // namespace sysentry::fs_detail
