// Changes to the upper layer that keep the merged view right: copy-up of
// lower objects, whiteouts and opaque marks. The lower layer is only read.
#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "layers.hpp"

namespace sysentry::fs_detail {

namespace {

constexpr mode_t kModeBits = 07777;
constexpr mode_t kPrivateDir = 0700;  // while being filled; the lower mode comes last
// A regular file is copied under this (hidden) name, then renamed into place,
// so a failed copy never leaves a half file under the real name.
constexpr const char* kCopyUpTemp = ".wh..wh.copyup";
constexpr size_t kCopyChunk = 1 << 20;

// Owner, mode and times of `st` onto the new upper object `name`. The owner is
// best effort (an unprivileged sysentry cannot give files away).
int copy_attributes(int dirfd, const std::string& name, const struct stat& st) {
    (void)::fchownat(dirfd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    if (!S_ISLNK(st.st_mode) && ::fchmodat(dirfd, name.c_str(), st.st_mode & kModeBits, 0) != 0)
        return neg_errno();
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    return status_of(::utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW));
}

int copy_directory(int upper_dir, const std::string& name, const struct stat& st) {
    if (::mkdirat(upper_dir, name.c_str(), kPrivateDir) != 0) return neg_errno();
    return copy_attributes(upper_dir, name, st);
}

int copy_bytes(int from, int to) {
    for (;;) {
        ssize_t n = ::sendfile(to, from, nullptr, kCopyChunk);
        if (n < 0) return neg_errno();
        if (n == 0) return 0;
    }
}

int copy_regular(int lower_dir, int upper_dir, const std::string& name, const struct stat& st) {
    UniqueFd from(::openat(lower_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    if (from.get() < 0) return neg_errno();
    ::unlinkat(upper_dir, kCopyUpTemp, 0);  // a leftover of an earlier failure
    UniqueFd to(::openat(upper_dir, kCopyUpTemp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (to.get() < 0) return neg_errno();
    int err = copy_bytes(from.get(), to.get());
    if (!err) err = copy_attributes(upper_dir, kCopyUpTemp, st);
    if (!err) err = status_of(::renameat(upper_dir, kCopyUpTemp, upper_dir, name.c_str()));
    if (err) ::unlinkat(upper_dir, kCopyUpTemp, 0);
    return err;
}

int copy_symlink(int lower_dir, int upper_dir, const std::string& name, const struct stat& st) {
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(lower_dir, name.c_str(), target.data(), target.size());
    if (n < 0) return neg_errno();
    target.resize(size_t(n));
    if (::symlinkat(target.c_str(), upper_dir, name.c_str()) != 0) return neg_errno();
    return copy_attributes(upper_dir, name, st);
}

int copy_special(int upper_dir, const std::string& name, const struct stat& st) {
    if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) return -EROFS;  // devices stay the host's
    if (::mknodat(upper_dir, name.c_str(), st.st_mode & (S_IFMT | kModeBits), 0) != 0) return neg_errno();
    return copy_attributes(upper_dir, name, st);
}

int touch(int dirfd, const std::string& name) {
    UniqueFd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    return fd.get() < 0 ? neg_errno() : 0;
}

}  // namespace

int copy_root_attributes(int lower_root, int upper_root) {
    struct stat st{};
    if (::fstat(lower_root, &st) != 0) return neg_errno();
    if (int err = chmod_fd(upper_root, st.st_mode & kModeBits)) return err;
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    return status_of(::utimensat(AT_FDCWD, proc_fd_path(upper_root).c_str(), times, 0));
}

int Layers::ensure_upper(DirNode& dir) const {
    if (dir.upper.get() >= 0) return 0;
    UniqueFd up = dup_fd(upper_root_.get()), down = dup_fd(lower_root_.get());
    for (const std::string& name : dir.path) {
        auto here = lstat_at(up.get(), name);
        if (!here) return here.error();
        if (!*here) {
            if (down.get() < 0) return -ENOENT;
            auto below = lstat_at(down.get(), name);
            if (!below) return below.error();
            if (!*below || !S_ISDIR((*below)->st_mode)) return -ENOENT;
            if (int err = copy_directory(up.get(), name, **below)) return err;
        }
        auto next = open_dir_at(up.get(), name);
        if (!next) return next.error();
        up = std::move(*next);
        auto next_down = down.get() >= 0 ? open_dir_at(down.get(), name) : std::expected<UniqueFd, int>(UniqueFd());
        down = next_down ? std::move(*next_down) : UniqueFd();
    }
    dir.upper = std::move(up);
    return 0;
}

int Layers::copy_up(DirNode& dir, const std::string& name, const Entry& entry) const {
    if (entry.layer == Layer::upper) return 0;
    if (int err = ensure_upper(dir)) return err;
    const struct stat& st = entry.st;
    if (S_ISDIR(st.st_mode)) return copy_directory(dir.upper.get(), name, st);
    if (S_ISREG(st.st_mode)) return copy_regular(dir.lower.get(), dir.upper.get(), name, st);
    if (S_ISLNK(st.st_mode)) return copy_symlink(dir.lower.get(), dir.upper.get(), name, st);
    return copy_special(dir.upper.get(), name, st);
}

int Layers::hide_lower(DirNode& dir, const std::string& name) const {
    if (dir.lower.get() < 0) return 0;
    auto below = lstat_at(dir.lower.get(), name);
    if (!below) return below.error();
    if (!*below) return 0;
    if (int err = ensure_upper(dir)) return err;
    return touch(dir.upper.get(), std::string(kWhiteoutPrefix) + name);
}

int Layers::shadow_lower_dir(const DirNode& dir, const std::string& name) const {
    if (dir.lower.get() < 0 || dir.upper.get() < 0) return 0;
    auto below = lstat_at(dir.lower.get(), name);
    if (!below) return below.error();
    if (!*below || !S_ISDIR((*below)->st_mode)) return 0;
    auto child = open_dir_at(dir.upper.get(), name);
    if (!child) return child.error();
    return touch(child->get(), std::string(kOpaqueMark));
}

int Layers::remove_upper_dir(const DirNode& dir, const std::string& name) const {
    if (has_lower()) {
        auto child = open_dir_at(dir.upper.get(), name);
        if (!child) return child.error();
        auto records = read_dir(child->get());
        if (!records) return records.error();
        for (const DirectoryEntry& e : *records) {
            if (e.name == "." || e.name == "..") continue;
            if (!reserved(e.name) || e.type == DT_DIR) return -ENOTEMPTY;
            if (::unlinkat(child->get(), e.name.c_str(), 0) != 0) return neg_errno();
        }
    }
    return status_of(::unlinkat(dir.upper.get(), name.c_str(), AT_REMOVEDIR));
}

}  // namespace sysentry::fs_detail
