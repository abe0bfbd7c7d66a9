// Every guest path goes through fs_detail::walk (one name at a time across the
// layers); the *at() calls below only ever see a directory fd from it plus one
// plain name (or ".") that they do not follow. Anything that changes a
// lower-layer object copies it up first.
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
#include "layers.hpp"
#include "path_walk.hpp"

namespace sysentry {

using fs_detail::DirNode;
using fs_detail::Final;
using fs_detail::Layer;
using fs_detail::LastKind;
using fs_detail::neg_errno;
using fs_detail::Resolved;
using fs_detail::status_of;
using fs_detail::UniqueFd;

namespace {

// The flags open(2) passes on (VALID_OPEN_FLAGS); the rest are dropped.
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

std::expected<UniqueFd, int> open_dir_fd(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(neg_errno());
    return fd;
}

// open(2) would touch the file's data or size: a lower file must be copied up.
bool open_changes_file(int flags) {
    if (flags & O_PATH) return false;
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

// A new name is made (mkdir, symlink, mknod, link's target): Linux's
// filename_create() checks, in its order.
int check_new_name(const fs_detail::Layers& layers, const Resolved& r) {
    if (r.kind != LastKind::name || r.exists()) return -EEXIST;
    if (layers.reserved(r.name)) return -EPERM;
    return 0;
}

// The directory a resolved path names, entered so its layers are known.
std::expected<DirNode, int> directory_of(const fs_detail::Layers& layers, Resolved& r) {
    if (r.kind != LastKind::name) return std::move(r.dir);
    if (!r.entry->is_dir()) return std::unexpected(-ENOTDIR);
    return layers.enter(r.dir, r.name, *r.entry);
}

// Gives the object an upper copy (if it has none) so it may be changed.
int make_upper(const fs_detail::Layers& layers, Resolved& r) {
    if (!r.exists()) return -ENOENT;
    int err = r.kind == LastKind::name ? layers.copy_up(r.dir, r.name, *r.entry) : layers.ensure_upper(r.dir);
    if (err == 0) r.entry->layer = Layer::upper;
    return err;
}

std::expected<UniqueFd, int> open_object(const Resolved& r) {
    UniqueFd fd(::openat(r.at_fd(), r.at_name().c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(neg_errno());
    return fd;
}

std::expected<Resolved, int> existing(const fs_detail::Layers& layers, std::string_view path, bool follow) {
    auto r = fs_detail::walk(layers, path, follow ? Final::follow : Final::no_follow);
    if (r && !r->exists()) return std::unexpected(-ENOENT);
    return r;
}

std::string join_components(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += "/" + n;
    return out.empty() ? "/" : out;
}

}  // namespace

// ---- construction ---------------------------------------------------------

SandboxFs::SandboxFs(std::unique_ptr<fs_detail::Layers> layers) : layers_(std::move(layers)) {}
SandboxFs::SandboxFs(SandboxFs&& other) noexcept = default;
SandboxFs& SandboxFs::operator=(SandboxFs&& other) noexcept = default;
SandboxFs::~SandboxFs() = default;

std::expected<SandboxFs, int> SandboxFs::open_root(const std::filesystem::path& host_root) {
    auto fd = open_dir_fd(host_root);
    if (!fd) return std::unexpected(fd.error());
    return SandboxFs(std::make_unique<fs_detail::Layers>(std::move(*fd), UniqueFd()));
}

std::expected<SandboxFs, int> SandboxFs::open_overlay(const std::filesystem::path& lower,
                                                      const std::filesystem::path& upper) {
    auto low = open_dir_fd(lower);
    if (!low) return std::unexpected(low.error());
    auto up = open_dir_fd(upper);
    if (!up) return std::unexpected(up.error());
    if (int err = fs_detail::copy_root_attributes(low->get(), up->get())) return std::unexpected(err);
    return SandboxFs(std::make_unique<fs_detail::Layers>(std::move(*up), std::move(*low)));
}

std::string SandboxFs::join(std::string_view base_guest_dir, std::string_view path) {
    if (path.empty()) return {};
    if (path.front() == '/') return std::string(path);
    std::string joined(base_guest_dir.empty() ? "/" : base_guest_dir);
    if (joined.back() != '/') joined.push_back('/');
    joined.append(path);
    return joined;
}

bool SandboxFs::layered() const { return layers_->has_lower(); }

std::filesystem::path SandboxFs::host_root() const {
    int fd = layered() ? layers_->lower_root() : layers_->upper_root();
    auto path = fs_detail::host_path_of_fd(fd);
    return path ? std::filesystem::path(*path) : std::filesystem::path();
}

// ---- opening and inspecting -----------------------------------------------

namespace {

std::expected<int, int> create_file(const fs_detail::Layers& layers, Resolved& r, int flags, mode_t mode) {
    if (r.must_be_dir) return std::unexpected(-EISDIR);
    if (layers.reserved(r.name)) return std::unexpected(-EPERM);
    if (int err = layers.ensure_upper(r.dir)) return std::unexpected(err);
    int fd = ::openat(r.dir.upper.get(), r.name.c_str(), flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return std::unexpected(neg_errno());
    return fd;
}

// O_TMPFILE: an unnamed file in the directory's upper copy.
std::expected<int, int> open_tmpfile(const fs_detail::Layers& layers, Resolved& r, int flags, mode_t mode) {
    auto dir = directory_of(layers, r);
    if (!dir) return std::unexpected(dir.error());
    if (int err = layers.ensure_upper(*dir)) return std::unexpected(err);
    int fd = ::openat(dir->upper.get(), ".", flags | O_CLOEXEC, mode);
    if (fd < 0) return std::unexpected(neg_errno());
    return fd;
}

}  // namespace

std::expected<int, int> SandboxFs::open(std::string_view guest_path, int flags, mode_t mode) const {
    flags &= kValidOpenFlags;
    if (flags & O_PATH) flags &= kPathOpenFlags;
    bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
    bool creates = (flags & O_CREAT) && !tmpfile;
    bool exclusive = creates && (flags & O_EXCL);
    mode_t create_mode = (creates || tmpfile) ? mode & kModeBits : 0;
    bool follow = !(flags & O_NOFOLLOW) && !exclusive;
    auto r = fs_detail::walk(*layers_, guest_path, follow ? Final::follow : Final::no_follow);
    if (!r) return std::unexpected(r.error());
    if (!r->exists()) {
        if (!creates) return std::unexpected(-ENOENT);
        return create_file(*layers_, *r, flags, create_mode);
    }
    if (exclusive) return std::unexpected(-EEXIST);
    if (tmpfile) return open_tmpfile(*layers_, *r, flags, create_mode);
    if (open_changes_file(flags) && !r->entry->is_dir()) {
        if (int err = make_upper(*layers_, *r)) return std::unexpected(err);
    }
    int fd = ::openat(r->at_fd(), r->at_name().c_str(), flags | O_NOFOLLOW | O_CLOEXEC, create_mode);
    if (fd < 0) return std::unexpected(neg_errno());
    return fd;
}

std::expected<struct stat, int> SandboxFs::stat(std::string_view guest_path, bool follow) const {
    auto r = existing(*layers_, guest_path, follow);
    if (!r) return std::unexpected(r.error());
    return r->entry->st;
}

std::expected<struct statx, int> SandboxFs::statx(std::string_view guest_path, bool follow,
                                                  unsigned int mask) const {
    auto r = existing(*layers_, guest_path, follow);
    if (!r) return std::unexpected(r.error());
    struct statx stx{};
    if (::statx(r->at_fd(), r->at_name().c_str(), AT_SYMLINK_NOFOLLOW, mask, &stx) != 0)
        return std::unexpected(neg_errno());
    return stx;
}

std::expected<struct statfs, int> SandboxFs::statfs(std::string_view guest_path) const {
    auto r = existing(*layers_, guest_path, true);
    if (!r) return std::unexpected(r.error());
    auto fd = open_object(*r);
    if (!fd) return std::unexpected(fd.error());
    struct statfs sfs{};
    if (::fstatfs(fd->get(), &sfs) != 0) return std::unexpected(neg_errno());
    return sfs;
}

std::expected<std::string, int> SandboxFs::readlink(std::string_view guest_path) const {
    auto r = existing(*layers_, guest_path, false);
    if (!r) return std::unexpected(r.error());
    if (!r->entry->is_symlink()) return std::unexpected(-EINVAL);
    // Link bodies are at most PATH_MAX - 1 bytes, so this buffer never truncates.
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(r->at_fd(), r->name.c_str(), target.data(), target.size());
    if (n < 0) return std::unexpected(neg_errno());
    target.resize(static_cast<size_t>(n));
    return target;
}

// ---- creating and removing names --------------------------------------------

int SandboxFs::mkdir(std::string_view guest_path, mode_t mode) const {
    auto r = fs_detail::walk(*layers_, guest_path, Final::as_parent);
    if (!r) return r.error();
    if (int err = check_new_name(*layers_, *r)) return err;
    if (int err = layers_->ensure_upper(r->dir)) return err;
    if (::mkdirat(r->dir.upper.get(), r->name.c_str(), mode & kModeBits) != 0) return neg_errno();
    return layers_->shadow_lower_dir(r->dir, r->name);
}

int SandboxFs::rmdir(std::string_view guest_path) const {
    auto r = fs_detail::walk(*layers_, guest_path, Final::as_parent);
    if (!r) return r.error();
    switch (r->kind) {
    case LastKind::dot: return -EINVAL;
    case LastKind::dotdot: return -ENOTEMPTY;
    case LastKind::root: return -EBUSY;
    case LastKind::name: break;
    }
    if (!r->exists()) return -ENOENT;
    if (!r->entry->is_dir()) return -ENOTDIR;
    if (layered()) {
        auto child = layers_->enter(r->dir, r->name, *r->entry);
        if (!child) return child.error();
        auto names = layers_->list(*child);
        if (!names) return names.error();
        if (names->size() > 2) return -ENOTEMPTY;  // more than "." and ".."
    }
    if (r->entry->layer == Layer::upper) {
        if (int err = layers_->remove_upper_dir(r->dir, r->name)) return err;
    }
    return layers_->hide_lower(r->dir, r->name);
}

int SandboxFs::unlink(std::string_view guest_path) const {
    auto r = fs_detail::walk(*layers_, guest_path, Final::as_parent);
    if (!r) return r.error();
    if (r->kind != LastKind::name) return -EISDIR;
    if (!r->exists()) return -ENOENT;
    if (r->entry->is_dir()) return -EISDIR;
    if (r->must_be_dir) return -ENOTDIR;
    if (r->entry->layer == Layer::upper && ::unlinkat(r->dir.upper.get(), r->name.c_str(), 0) != 0)
        return neg_errno();
    return layers_->hide_lower(r->dir, r->name);
}

namespace {

// Linux's checks on the two names of rename(2), before any change.
int check_rename(const Resolved& from, const Resolved& to, unsigned int flags) {
    if (from.kind != LastKind::name) return -EBUSY;
    if (to.kind != LastKind::name) return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
    if (!from.exists()) return -ENOENT;
    bool exchange = flags & RENAME_EXCHANGE;
    if (!from.entry->is_dir() && (from.must_be_dir || (!exchange && to.must_be_dir))) return -ENOTDIR;
    if (exchange && !to.exists()) return -ENOENT;
    if ((flags & RENAME_NOREPLACE) && to.exists()) return -EEXIST;
    return 0;
}

// A directory that merges a lower one cannot move (overlayfs without
// redirect_dir says the same): callers such as mv then copy instead.
int check_movable(const fs_detail::Layers& layers, const Resolved& r) {
    if (!r.exists() || !r.entry->is_dir()) return 0;
    auto child = layers.enter(r.dir, r.name, *r.entry);
    if (!child) return child.error();
    return child->lower.get() >= 0 ? -EXDEV : 0;
}

// Replacing an existing target that the host cannot see whole (it lives in
// the lower layer, or its upper directory still holds whiteouts).
int check_replaced(const fs_detail::Layers& layers, const Resolved& from, Resolved& to) {
    if (!to.exists()) return 0;
    const struct stat &a = from.entry->st, &b = to.entry->st;
    if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) return 1;  // the same file: nothing to do
    if (from.entry->is_dir() != to.entry->is_dir()) return from.entry->is_dir() ? -ENOTDIR : -EISDIR;
    if (!to.entry->is_dir()) return 0;
    auto child = layers.enter(to.dir, to.name, *to.entry);
    if (!child) return child.error();
    auto names = layers.list(*child);
    if (!names) return names.error();
    if (names->size() > 2) return -ENOTEMPTY;
    return to.entry->layer == Layer::upper ? layers.remove_upper_dir(to.dir, to.name) : 0;
}

}  // namespace

int SandboxFs::rename(std::string_view from, std::string_view to, unsigned int flags) const {
    auto a = fs_detail::walk(*layers_, from, Final::as_parent);
    if (!a) return a.error();
    auto b = fs_detail::walk(*layers_, to, Final::as_parent);
    if (!b) return b.error();
    if (int err = check_rename(*a, *b, flags)) return err;
    if (layers_->reserved(b->name)) return -EPERM;
    bool exchange = flags & RENAME_EXCHANGE;
    if (layered()) {
        if (int err = check_movable(*layers_, *a)) return err;
        if (int err = exchange ? check_movable(*layers_, *b) : check_replaced(*layers_, *a, *b))
            return err < 0 ? err : 0;
        if (int err = make_upper(*layers_, *a)) return err;
        if (int err = exchange ? make_upper(*layers_, *b) : 0) return err;
    }
    if (int err = layers_->ensure_upper(b->dir)) return err;
    if (::renameat2(a->dir.upper.get(), a->name.c_str(), b->dir.upper.get(), b->name.c_str(), flags) != 0)
        return neg_errno();
    if (!exchange) {
        if (int err = layers_->hide_lower(a->dir, a->name)) return err;
    } else if (b->entry->is_dir()) {
        if (int err = layers_->shadow_lower_dir(a->dir, a->name)) return err;
    }
    return a->entry->is_dir() ? layers_->shadow_lower_dir(b->dir, b->name) : 0;
}

int SandboxFs::link(std::string_view from, std::string_view to, bool follow_from) const {
    auto a = existing(*layers_, from, follow_from);
    if (!a) return a.error();
    auto b = fs_detail::walk(*layers_, to, Final::as_parent);
    if (!b) return b.error();
    if (int err = check_new_name(*layers_, *b)) return err;
    if (b->must_be_dir) return -ENOENT;
    if (a->kind != LastKind::name || a->entry->is_dir()) return -EPERM;
    if (int err = make_upper(*layers_, *a)) return err;
    if (int err = layers_->ensure_upper(b->dir)) return err;
    return status_of(::linkat(a->dir.upper.get(), a->name.c_str(), b->dir.upper.get(), b->name.c_str(), 0));
}

int SandboxFs::symlink(std::string_view target, std::string_view linkpath) const {
    if (int err = fs_detail::check_guest_path(target)) return err;
    auto r = fs_detail::walk(*layers_, linkpath, Final::as_parent);
    if (!r) return r.error();
    if (int err = check_new_name(*layers_, *r)) return err;
    if (r->must_be_dir) return -ENOENT;
    if (int err = layers_->ensure_upper(r->dir)) return err;
    return status_of(::symlinkat(std::string(target).c_str(), r->dir.upper.get(), r->name.c_str()));
}

int SandboxFs::mknod(std::string_view guest_path, mode_t mode, dev_t dev) const {
    mode_t type = mode & S_IFMT;
    if (type == 0) type = S_IFREG;
    if (type == S_IFDIR || type == S_IFCHR || type == S_IFBLK) return -EPERM;
    if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK) return -EINVAL;
    auto r = fs_detail::walk(*layers_, guest_path, Final::as_parent);
    if (!r) return r.error();
    if (int err = check_new_name(*layers_, *r)) return err;
    if (r->must_be_dir) return -ENOENT;
    if (int err = layers_->ensure_upper(r->dir)) return err;
    return status_of(::mknodat(r->dir.upper.get(), r->name.c_str(), type | (mode & kModeBits), dev));
}

// ---- changing attributes ------------------------------------------------------

int SandboxFs::chmod(std::string_view guest_path, mode_t mode, bool follow) const {
    auto r = existing(*layers_, guest_path, follow);
    if (!r) return r.error();
    // Linux has no symlink modes: fchmodat2(AT_SYMLINK_NOFOLLOW) on one fails so.
    if (r->entry->is_symlink()) return -EOPNOTSUPP;
    if (int err = make_upper(*layers_, *r)) return err;
    auto fd = open_object(*r);
    if (!fd) return fd.error();
    return fs_detail::chmod_fd(fd->get(), mode & kModeBits);
}

int SandboxFs::chown(std::string_view guest_path, uid_t uid, gid_t gid, bool follow) const {
    auto r = existing(*layers_, guest_path, follow);
    if (!r) return r.error();
    if (int err = make_upper(*layers_, *r)) return err;
    return status_of(::fchownat(r->at_fd(), r->at_name().c_str(), uid, gid, AT_SYMLINK_NOFOLLOW));
}

int SandboxFs::truncate(std::string_view guest_path, off_t length) const {
    if (length < 0) return -EINVAL;
    auto r = existing(*layers_, guest_path, true);
    if (!r) return r.error();
    if (r->entry->is_dir()) return -EISDIR;
    if (!S_ISREG(r->entry->st.st_mode)) return -EINVAL;
    if (int err = make_upper(*layers_, *r)) return err;
    // truncate(2) needs write permission, exactly what an O_WRONLY open checks.
    UniqueFd fd(::openat(r->at_fd(), r->name.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return neg_errno();
    return status_of(::ftruncate(fd.get(), length));
}

int SandboxFs::access(std::string_view guest_path, int mode, bool follow, bool effective_ids) const {
    if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
    auto r = existing(*layers_, guest_path, follow);
    if (!r) return r.error();
    int flags = AT_SYMLINK_NOFOLLOW | (effective_ids ? AT_EACCESS : 0);
    return status_of(::syscall(SYS_faccessat2, r->at_fd(), r->at_name().c_str(), mode, flags));
}

int SandboxFs::utimens(std::string_view guest_path, const struct timespec times[2], bool follow) const {
    if (times != nullptr) {
        // Both omitted: Linux returns before even looking the path up.
        if (times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return 0;
        if (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec)) return -EINVAL;
    }
    auto r = existing(*layers_, guest_path, follow);
    if (!r) return r.error();
    if (int err = make_upper(*layers_, *r)) return err;
    return status_of(::utimensat(r->at_fd(), r->at_name().c_str(), times, AT_SYMLINK_NOFOLLOW));
}

// ---- changes through an fd --------------------------------------------------

namespace {

// A host fd on an object of the lower layer: its guest path, to change the
// upper copy instead. nullopt for anything else (upper objects, devices, pipes).
std::optional<std::string> lower_object_path(const SandboxFs& fs, const fs_detail::Layers& layers, int host_fd) {
    if (!layers.has_lower()) return std::nullopt;
    auto object = fs_detail::host_path_of_fd(host_fd);
    auto upper = fs_detail::host_path_of_fd(layers.upper_root());
    if (!object || !upper || *object == *upper || object->starts_with(*upper + "/")) return std::nullopt;
    auto path = fs.guest_path_of(host_fd);
    return path ? std::optional<std::string>(*path) : std::nullopt;
}

}  // namespace

int SandboxFs::fchmod(int host_fd, mode_t mode) const {
    if (auto path = lower_object_path(*this, *layers_, host_fd)) return chmod(*path, mode, false);
    return status_of(::fchmod(host_fd, mode & kModeBits));
}

int SandboxFs::fchown(int host_fd, uid_t uid, gid_t gid) const {
    if (auto path = lower_object_path(*this, *layers_, host_fd)) return chown(*path, uid, gid, false);
    return status_of(::fchown(host_fd, uid, gid));
}

int SandboxFs::futimens(int host_fd, const struct timespec times[2]) const {
    if (auto path = lower_object_path(*this, *layers_, host_fd)) return utimens(*path, times, false);
    return status_of(::futimens(host_fd, times));
}

// ---- guest-visible names of directories ------------------------------------

std::expected<std::string, int> SandboxFs::canonical_directory(std::string_view guest_path) const {
    auto r = existing(*layers_, guest_path, true);
    if (!r) return std::unexpected(r.error());
    if (!r->entry->is_dir()) return std::unexpected(-ENOTDIR);
    // chdir(2) needs search permission on the directory itself.
    int flags = AT_SYMLINK_NOFOLLOW | AT_EACCESS;
    if (::syscall(SYS_faccessat2, r->at_fd(), r->at_name().c_str(), X_OK, flags) != 0)
        return std::unexpected(neg_errno());
    std::vector<std::string> names = r->dir.path;
    if (r->kind == LastKind::name) names.push_back(r->name);
    return join_components(names);
}

std::expected<std::vector<DirectoryEntry>, int> SandboxFs::list_directory(std::string_view guest_path) const {
    auto r = existing(*layers_, guest_path, true);
    if (!r) return std::unexpected(r.error());
    auto dir = directory_of(*layers_, *r);
    if (!dir) return std::unexpected(dir.error());
    return layers_->list(*dir);
}

std::expected<std::string, int> SandboxFs::guest_path_of(int host_fd) const {
    struct stat st{};
    if (::fstat(host_fd, &st) != 0) return std::unexpected(neg_errno());
    // Unlinked objects have no name (the host shows "... (deleted)").
    if (st.st_nlink == 0) return std::unexpected(-ENOENT);
    auto object = fs_detail::host_path_of_fd(host_fd);
    if (!object) return std::unexpected(object.error());
    if (object->empty() || object->front() != '/') return std::unexpected(-ENOENT);  // pipe:[..]
    // The upper layer first: it may lie inside the lower one (--root /).
    for (int root_fd : {layers_->upper_root(), layers_->lower_root()}) {
        if (root_fd < 0) continue;
        auto root = fs_detail::host_path_of_fd(root_fd);
        if (!root) return std::unexpected(root.error());
        if (*root == "/") return *object;
        if (*object == *root) return std::string("/");
        if (object->starts_with(*root + "/")) return object->substr(root->size());
    }
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
