// The guest's filesystem: one or two host directories that the guest sees as "/".
//
// Direct (open_root): one directory, where every change lands (`--rw`, or the
// private scratch root used when the user grants none).
// Copy-on-write (open_overlay): the user's root is the LOWER layer and is
// never written; every change lands in an UPPER scratch directory. Files are
// copied up when first changed, deletions leave whiteouts, and directory
// listings merge both layers (see kernel_model/fs/layers.hpp).
//
// Guest programs are untrusted, so sysentry walks every guest path itself,
// one name at a time, each a single *at() call on a directory fd that does not
// follow it: "..", absolute symlinks and relative symlinks are all walked from
// the guest's "/", and procfs magic links (/proc/self/root, /proc/self/fd/N)
// are refused with ELOOP. No host path string built from a guest path ever
// reaches a host path syscall.
//
// Paths given here are guest paths: absolute ones start at the guest root,
// relative ones (rare; prefer join()) are taken from the guest root too.
// Errors are negative errno values, the ones Linux would return.
//
// Known corner: a host fd opened read-only on a lower file keeps showing the
// lower file after a later write through another name copies it up.
#pragma once
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sysentry {

namespace fs_detail {
class Layers;
}

// One name of a directory listing, as getdents64 reports it.
struct DirectoryEntry {
    uint64_t ino;
    unsigned char type;  // DT_*
    std::string name;
};

class SandboxFs {
public:
    // Direct: `host_root` (an existing directory) is "/" and takes every change.
    static std::expected<SandboxFs, int> open_root(const std::filesystem::path& host_root);
    // Copy-on-write: `lower` is "/" as the guest first sees it and is only
    // read; changes land in `upper` (an empty directory the caller owns).
    static std::expected<SandboxFs, int> open_overlay(const std::filesystem::path& lower,
                                                      const std::filesystem::path& upper);

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

    // True for a copy-on-write root: directory listings must then come from
    // list_directory(), not from the host fd.
    bool layered() const;
    // The merged listing of a directory, "." and ".." first.
    std::expected<std::vector<DirectoryEntry>, int> list_directory(std::string_view guest_path) const;
    // fchmod/fchown/futimens on a host fd this SandboxFs returned. An fd on a
    // lower-layer object changes its upper copy (made now), never the lower.
    int fchmod(int host_fd, mode_t mode) const;
    int fchown(int host_fd, uid_t uid, gid_t gid) const;
    int futimens(int host_fd, const struct timespec times[2]) const;

    // The host directory the guest sees as "/" (the lower layer when layered;
    // for messages only; never resolve it).
    std::filesystem::path host_root() const;

private:
    explicit SandboxFs(std::unique_ptr<fs_detail::Layers> layers);
    std::unique_ptr<fs_detail::Layers> layers_;
};

}  // namespace sysentry
