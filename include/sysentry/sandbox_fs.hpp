// The guest's filesystem: a host directory that the guest sees as "/".
//
// Guest programs are untrusted, so every path is resolved by the host kernel's
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to the root's fd:
// "..", absolute symlinks and relative symlinks are all clamped at the root,
// and procfs magic links (/proc/self/root, /proc/self/fd/N) are refused.
// Operations that must not follow the final component resolve the PARENT that
// way and then call the *at() syscall on a single plain name.
//
// Paths given here are guest paths: absolute ones start at the guest root,
// relative ones (rare; prefer join()) are taken from the guest root too.
// Errors are negative errno values, the ones Linux would return.
#pragma once
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace sysentry {

class SandboxFs {
public:
    // `host_root` must exist and be a directory; -errno otherwise (-ENOSYS
    // when the host kernel lacks openat2).
    static std::expected<SandboxFs, int> open_root(const std::filesystem::path& host_root);

    // Kernel-style join: an absolute `path` ignores `base_guest_dir`.
    // An empty `path` yields "" which every operation rejects with -ENOENT
    // (AT_EMPTY_PATH is the caller's business: it works on the fd itself).
    static std::string join(std::string_view base_guest_dir, std::string_view path);

    SandboxFs(SandboxFs&& other) noexcept;
    SandboxFs& operator=(SandboxFs&& other) noexcept;
    SandboxFs(const SandboxFs&) = delete;
    SandboxFs& operator=(const SandboxFs&) = delete;
    ~SandboxFs();

    // open/openat/creat. Returns a host fd owned by the caller, always
    // O_CLOEXEC on the host whatever the guest asked (the guest's
    // close-on-exec bit belongs in the guest fd table). Unknown flag bits are
    // ignored as open(2) does; `mode` is only used with O_CREAT/O_TMPFILE.
    std::expected<int, int> open(std::string_view guest_path, int flags, mode_t mode) const;

    // stat/lstat/newfstatat. A trailing slash forces following, as in Linux.
    std::expected<struct stat, int> stat(std::string_view guest_path, bool follow_final_symlink) const;
    std::expected<struct statx, int> statx(std::string_view guest_path, bool follow_final_symlink,
                                           unsigned int mask) const;
    std::expected<struct statfs, int> statfs(std::string_view guest_path) const;
    // readlink: -EINVAL when the object is not a symlink.
    std::expected<std::string, int> readlink(std::string_view guest_path) const;

    int mkdir(std::string_view guest_path, mode_t mode) const;
    int rmdir(std::string_view guest_path) const;
    int unlink(std::string_view guest_path) const;
    // flags: RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT, checked by the host.
    int rename(std::string_view from, std::string_view to, unsigned int flags = 0) const;
    // link/linkat; follow_from = AT_SYMLINK_FOLLOW.
    int link(std::string_view from, std::string_view to, bool follow_from = false) const;
    // The target string is stored verbatim; it is only interpreted (inside the
    // root) when something later resolves through the link.
    int symlink(std::string_view target, std::string_view linkpath) const;
    // mknod/mknodat for S_IFREG, S_IFIFO and S_IFSOCK. Device nodes get
    // -EPERM: a guest-made device node would reach host hardware.
    int mknod(std::string_view guest_path, mode_t mode, dev_t dev) const;

    // chmod/fchmodat2; with follow=false a symlink gives -EOPNOTSUPP (as Linux).
    int chmod(std::string_view guest_path, mode_t mode, bool follow) const;
    int chown(std::string_view guest_path, uid_t uid, gid_t gid, bool follow) const;
    int truncate(std::string_view guest_path, off_t length) const;
    // access/faccessat2: mode is F_OK or R_OK|W_OK|X_OK.
    int access(std::string_view guest_path, int mode, bool follow, bool effective_ids = false) const;
    // utimensat; `times` may be null (both "now").
    int utimens(std::string_view guest_path, const struct timespec times[2], bool follow) const;

    // chdir: the canonical guest-absolute path of a searchable directory,
    // symlinks resolved ("/" for the root). -ENOTDIR/-ENOENT/-EACCES otherwise.
    std::expected<std::string, int> canonical_directory(std::string_view guest_path) const;
    // The guest-absolute path of the object behind a host fd this SandboxFs
    // returned (getcwd, fchdir, /proc-style reporting); -ENOENT if the object
    // was deleted or lies outside the root (e.g. an inherited host stdio fd).
    std::expected<std::string, int> guest_path_of(int host_fd) const;
    // *at() calls with a real dirfd: the guest path `path` names relative to
    // the directory open as `host_dirfd`, where that directory is now (Linux
    // dirfds follow renames). -ENOTDIR if the fd is not a directory.
    std::expected<std::string, int> join_at(int host_dirfd, std::string_view path) const;

    // The host directory serving as "/" (for messages only; never resolve it).
    std::filesystem::path host_root() const;

private:
    explicit SandboxFs(int root_fd) : root_fd_(root_fd) {}
    int root_fd_ = -1;  // O_PATH | O_DIRECTORY; every lookup starts here
};

}  // namespace sysentry
