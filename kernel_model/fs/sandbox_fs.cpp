// Every guest path goes through fs_detail::open_in_root (openat2 confined to
// the root); the *at() calls below only ever see an fd from it plus either ""
// (AT_EMPTY_PATH) or one component that they do not follow.
#include "sysentry/sandbox_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "guest_path.hpp"
#include "host_fd.hpp"

namespace sysentry {

using fs_detail::check_guest_path;
using fs_detail::neg_errno;
using fs_detail::open_in_root;
using fs_detail::split_parent;
using fs_detail::status_of;
using fs_detail::UniqueFd;

namespace {

// The flags open(2) passes on (VALID_OPEN_FLAGS); openat2 rejects the rest,
// open(2) silently drops them.
constexpr int kValidOpenFlags = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
                                O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE |
                                O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC |
                                O_PATH | O_TMPFILE;
// With O_PATH, open(2) keeps only these.
constexpr int kPathOpenFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// Permission bits plus setuid/setgid/sticky (S_IALLUGO).
constexpr mode_t kModeBits = 07777;

bool nsec_valid(long nsec) {
    return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec <= 999'999'999);
}

// Flags for an *at(fd, "") call on an fd from open_object: the fd already is
// the object, and NOFOLLOW keeps a symlink fd meaning the link itself.
int empty_path_flags(bool follow) { return AT_EMPTY_PATH | (follow ? 0 : AT_SYMLINK_NOFOLLOW); }

// ---- lookups shared by every operation ------------------------------------

// An O_PATH fd on the object itself; the final symlink is followed only when
// asked (a trailing slash makes the host follow anyway, as Linux does).
std::expected<UniqueFd, int> open_object(int root_fd, std::string_view guest_path, bool follow) {
    if (int err = check_guest_path(guest_path)) return std::unexpected(err);
    return open_in_root(root_fd, std::string(guest_path), O_PATH | (follow ? 0 : O_NOFOLLOW));
}

struct ParentFd {
    UniqueFd fd;
    fs_detail::ParentAndLast split;
};

// The directory holding the final component, plus that component.
std::expected<ParentFd, int> open_parent(int root_fd, std::string_view guest_path) {
    if (int err = check_guest_path(guest_path)) return std::unexpected(err);
    auto split = split_parent(guest_path);
    auto fd = open_in_root(root_fd, split.parent, O_PATH | O_DIRECTORY);
    if (!fd) return std::unexpected(fd.error());
    return ParentFd{std::move(*fd), std::move(split)};
}

}  // namespace

// ---- construction ---------------------------------------------------------

std::expected<SandboxFs, int> SandboxFs::open_root(const std::filesystem::path& host_root) {
    UniqueFd fd(::open(host_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(neg_errno());
    // Refuse to run unconfined on a host without openat2 (before Linux 5.6).
    auto probe = open_in_root(fd.get(), ".", O_PATH);
    if (!probe) return std::unexpected(probe.error());
    return SandboxFs(fd.release());
}

SandboxFs::SandboxFs(SandboxFs&& other) noexcept : root_fd_(std::exchange(other.root_fd_, -1)) {}

SandboxFs& SandboxFs::operator=(SandboxFs&& other) noexcept {
    if (this != &other) {
        if (root_fd_ >= 0) ::close(root_fd_);
        root_fd_ = std::exchange(other.root_fd_, -1);
    }
    return *this;
}

SandboxFs::~SandboxFs() {
    if (root_fd_ >= 0) ::close(root_fd_);
}

std::string SandboxFs::join(std::string_view base_guest_dir, std::string_view path) {
    if (path.empty()) return {};
    if (path.front() == '/') return std::string(path);
    std::string joined(base_guest_dir.empty() ? "/" : base_guest_dir);
    if (joined.back() != '/') joined.push_back('/');
    joined.append(path);
    return joined;
}

std::filesystem::path SandboxFs::host_root() const {
    auto path = fs_detail::host_path_of_fd(root_fd_);
    return path ? std::filesystem::path(*path) : std::filesystem::path();
}

// ---- opening and inspecting -----------------------------------------------

std::expected<int, int> SandboxFs::open(std::string_view guest_path, int flags, mode_t mode) const {
    if (int err = check_guest_path(guest_path)) return std::unexpected(err);
    flags &= kValidOpenFlags;
    if (flags & O_PATH) flags &= kPathOpenFlags;
    bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    mode_t create_mode = creates ? mode & kModeBits : 0;  // openat2 rejects a stray mode
    auto fd = open_in_root(root_fd_, std::string(guest_path), flags, create_mode);
    if (!fd) return std::unexpected(fd.error());
    return fd->release();
}

std::expected<struct stat, int> SandboxFs::stat(std::string_view guest_path, bool follow) const {
    auto fd = open_object(root_fd_, guest_path, follow);
    if (!fd) return std::unexpected(fd.error());
    struct stat st{};
    if (::fstatat(fd->get(), "", &st, AT_EMPTY_PATH) != 0) return std::unexpected(neg_errno());
    return st;
}

std::expected<struct statx, int> SandboxFs::statx(std::string_view guest_path, bool follow,
                                                  unsigned int mask) const {
    auto fd = open_object(root_fd_, guest_path, follow);
    if (!fd) return std::unexpected(fd.error());
    struct statx stx{};
    if (::statx(fd->get(), "", AT_EMPTY_PATH, mask, &stx) != 0) return std::unexpected(neg_errno());
    return stx;
}

std::expected<struct statfs, int> SandboxFs::statfs(std::string_view guest_path) const {
    auto fd = open_object(root_fd_, guest_path, true);
    if (!fd) return std::unexpected(fd.error());
    struct statfs sfs{};
    if (::fstatfs(fd->get(), &sfs) != 0) return std::unexpected(neg_errno());
    return sfs;
}

std::expected<std::string, int> SandboxFs::readlink(std::string_view guest_path) const {
    auto fd = open_object(root_fd_, guest_path, false);
    if (!fd) return std::unexpected(fd.error());
    struct stat st{};
    if (::fstatat(fd->get(), "", &st, AT_EMPTY_PATH) != 0) return std::unexpected(neg_errno());
    if (!S_ISLNK(st.st_mode)) return std::unexpected(-EINVAL);
    // Link bodies are at most PATH_MAX - 1 bytes, so this buffer never truncates.
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(fd->get(), "", target.data(), target.size());
    if (n < 0) return std::unexpected(neg_errno());
    target.resize(static_cast<size_t>(n));
    return target;
}

// ---- creating and removing names --------------------------------------------

int SandboxFs::mkdir(std::string_view guest_path, mode_t mode) const {
    auto parent = open_parent(root_fd_, guest_path);
    if (!parent) return parent.error();
    if (parent->split.is_root()) return -EEXIST;
    std::string name = parent->split.last_for_at();
    return status_of(::mkdirat(parent->fd.get(), name.c_str(), mode & kModeBits));
}

int SandboxFs::rmdir(std::string_view guest_path) const {
    auto parent = open_parent(root_fd_, guest_path);
    if (!parent) return parent.error();
    if (parent->split.is_root()) return -EBUSY;
    std::string name = parent->split.last_for_at();
    return status_of(::unlinkat(parent->fd.get(), name.c_str(), AT_REMOVEDIR));
}

int SandboxFs::unlink(std::string_view guest_path) const {
    auto parent = open_parent(root_fd_, guest_path);
    if (!parent) return parent.error();
    if (parent->split.is_root()) return -EISDIR;
    std::string name = parent->split.last_for_at();
    return status_of(::unlinkat(parent->fd.get(), name.c_str(), 0));
}

int SandboxFs::rename(std::string_view from, std::string_view to, unsigned int flags) const {
    auto old_parent = open_parent(root_fd_, from);
    if (!old_parent) return old_parent.error();
    auto new_parent = open_parent(root_fd_, to);
    if (!new_parent) return new_parent.error();
    // Linux refuses to move or replace "/" (its last component is not a name).
    if (old_parent->split.is_root() || new_parent->split.is_root()) return -EBUSY;
    std::string old_name = old_parent->split.last_for_at();
    std::string new_name = new_parent->split.last_for_at();
    return status_of(::renameat2(old_parent->fd.get(), old_name.c_str(), new_parent->fd.get(),
                                 new_name.c_str(), flags));
}

namespace {

// linkat from an fd: AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, the fd's magic
// link in /proc does not. Neither involves a guest path.
int link_from_fd(int old_fd, int new_dir_fd, const std::string& new_name) {
    if (::linkat(old_fd, "", new_dir_fd, new_name.c_str(), AT_EMPTY_PATH) == 0) return 0;
    if (errno != ENOENT) return neg_errno();
    std::string proc_path = fs_detail::proc_fd_path(old_fd);
    return status_of(
        ::linkat(AT_FDCWD, proc_path.c_str(), new_dir_fd, new_name.c_str(), AT_SYMLINK_FOLLOW));
}

}  // namespace

int SandboxFs::link(std::string_view from, std::string_view to, bool follow_from) const {
    auto old_parent = open_parent(root_fd_, from);
    if (!old_parent) return old_parent.error();
    const auto& old_split = old_parent->split;
    bool plain_name = !old_split.is_root() && !old_split.trailing_slash && old_split.last != "." &&
                      old_split.last != "..";
    if (!follow_from && plain_name) {
        // linkat without AT_SYMLINK_FOLLOW does not follow the one name it gets.
        auto new_parent = open_parent(root_fd_, to);
        if (!new_parent) return new_parent.error();
        if (new_parent->split.is_root()) return -EEXIST;
        std::string new_name = new_parent->split.last_for_at();
        return status_of(::linkat(old_parent->fd.get(), old_split.last.c_str(),
                                  new_parent->fd.get(), new_name.c_str(), 0));
    }
    // Anything that follows ("..", "name/", AT_SYMLINK_FOLLOW) is resolved in the root first.
    auto old_fd = open_object(root_fd_, from, follow_from);
    if (!old_fd) return old_fd.error();
    auto new_parent = open_parent(root_fd_, to);
    if (!new_parent) return new_parent.error();
    if (new_parent->split.is_root()) return -EEXIST;
    return link_from_fd(old_fd->get(), new_parent->fd.get(), new_parent->split.last_for_at());
}

int SandboxFs::symlink(std::string_view target, std::string_view linkpath) const {
    if (int err = check_guest_path(target)) return err;
    auto parent = open_parent(root_fd_, linkpath);
    if (!parent) return parent.error();
    if (parent->split.is_root()) return -EEXIST;
    std::string name = parent->split.last_for_at();
    return status_of(::symlinkat(std::string(target).c_str(), parent->fd.get(), name.c_str()));
}

int SandboxFs::mknod(std::string_view guest_path, mode_t mode, dev_t dev) const {
    mode_t type = mode & S_IFMT;
    if (type == 0) type = S_IFREG;
    if (type == S_IFDIR || type == S_IFCHR || type == S_IFBLK) return -EPERM;
    if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) return -EINVAL;
    auto parent = open_parent(root_fd_, guest_path);
    if (!parent) return parent.error();
    if (parent->split.is_root()) return -EEXIST;
    std::string name = parent->split.last_for_at();
    return status_of(::mknodat(parent->fd.get(), name.c_str(), type | (mode & kModeBits), dev));
}

// ---- changing attributes ------------------------------------------------------

int SandboxFs::chmod(std::string_view guest_path, mode_t mode, bool follow) const {
    auto fd = open_object(root_fd_, guest_path, follow);
    if (!fd) return fd.error();
    struct stat st{};
    if (::fstatat(fd->get(), "", &st, AT_EMPTY_PATH) != 0) return neg_errno();
    // Linux has no symlink modes: fchmodat2(AT_SYMLINK_NOFOLLOW) on one fails so.
    if (S_ISLNK(st.st_mode)) return -EOPNOTSUPP;
    return fs_detail::chmod_fd(fd->get(), mode & kModeBits);
}

int SandboxFs::chown(std::string_view guest_path, uid_t uid, gid_t gid, bool follow) const {
    auto fd = open_object(root_fd_, guest_path, follow);
    if (!fd) return fd.error();
    return status_of(::fchownat(fd->get(), "", uid, gid, empty_path_flags(follow)));
}

int SandboxFs::truncate(std::string_view guest_path, off_t length) const {
    if (length < 0) return -EINVAL;
    auto fd = open_object(root_fd_, guest_path, true);
    if (!fd) return fd.error();
    struct stat st{};
    if (::fstatat(fd->get(), "", &st, AT_EMPTY_PATH) != 0) return neg_errno();
    if (S_ISDIR(st.st_mode)) return -EISDIR;
    if (!S_ISREG(st.st_mode)) return -EINVAL;
    // truncate(2) needs write permission, exactly what an O_WRONLY open checks.
    auto wfd = open_in_root(root_fd_, std::string(guest_path), O_WRONLY | O_NONBLOCK | O_NOCTTY);
    if (!wfd) return wfd.error();
    return status_of(::ftruncate(wfd->get(), length));
}

int SandboxFs::access(std::string_view guest_path, int mode, bool follow, bool effective_ids) const {
    if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
    auto fd = open_object(root_fd_, guest_path, follow);
    if (!fd) return fd.error();
    int flags = empty_path_flags(follow) | (effective_ids ? AT_EACCESS : 0);
    return status_of(::syscall(SYS_faccessat2, fd->get(), "", mode, flags));
}

int SandboxFs::utimens(std::string_view guest_path, const struct timespec times[2], bool follow) const {
    if (times != nullptr) {
        // Both omitted: Linux returns before even looking the path up.
        if (times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return 0;
        if (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec)) return -EINVAL;
    }
    auto fd = open_object(root_fd_, guest_path, follow);
    if (!fd) return fd.error();
    return status_of(::utimensat(fd->get(), "", times, empty_path_flags(follow)));
}

// ---- guest-visible names of directories ------------------------------------

std::expected<std::string, int> SandboxFs::canonical_directory(std::string_view guest_path) const {
    if (int err = check_guest_path(guest_path)) return std::unexpected(err);
    auto fd = open_in_root(root_fd_, std::string(guest_path), O_PATH | O_DIRECTORY);
    if (!fd) return std::unexpected(fd.error());
    // chdir(2) needs search permission on the directory itself.
    if (::syscall(SYS_faccessat2, fd->get(), "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
        return std::unexpected(neg_errno());
    return guest_path_of(fd->get());
}

std::expected<std::string, int> SandboxFs::guest_path_of(int host_fd) const {
    struct stat st{};
    if (::fstat(host_fd, &st) != 0) return std::unexpected(neg_errno());
    // Unlinked objects have no name (the host shows "... (deleted)").
    if (st.st_nlink == 0) return std::unexpected(-ENOENT);
    auto root = fs_detail::host_path_of_fd(root_fd_);
    if (!root) return std::unexpected(root.error());
    auto object = fs_detail::host_path_of_fd(host_fd);
    if (!object) return std::unexpected(object.error());
    if (object->empty() || object->front() != '/') return std::unexpected(-ENOENT);  // pipe:[..]
    if (*root == "/") return *object;
    if (*object == *root) return std::string("/");
    if (object->starts_with(*root + "/")) return object->substr(root->size());
    return std::unexpected(-ENOENT);
}

std::expected<std::string, int> SandboxFs::join_at(int host_dirfd, std::string_view path) const {
    if (path.empty()) return std::string();
    if (path.front() == '/') return std::string(path);
    struct stat st{};
    if (::fstat(host_dirfd, &st) != 0) return std::unexpected(neg_errno());
    if (!S_ISDIR(st.st_mode)) return std::unexpected(-ENOTDIR);
    auto base = guest_path_of(host_dirfd);
    if (!base) return std::unexpected(base.error());
    return join(*base, path);
}

}  // namespace sysentry
