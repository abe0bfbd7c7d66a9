// File services: descriptors, I/O through guest memory, and every path
// operation, which goes through the sandbox (SandboxFs) and never to a host
// path. Each guest fd owns a host fd (FdTable); the data moves host fd <->
// bounded host buffer <-> guest pages, so a huge count never means a huge
// allocation and a bad guest pointer fails the way copy_{to,from}_user does.
#include <asm/termbits.h>  // the kernel's 36-byte struct termios (glibc's differs)
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "path_args.hpp"
#include "sysentry/devices.hpp"
#include "sysentry/procfs.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/process.hpp"
#include "sysentry/signal_delivery.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

using namespace syscall_args;

namespace {

// ---- constants from the x86-64 ABI -------------------------------------------

// glibc defines O_LARGEFILE as 0 on x86-64; the kernel's bit is 0100000, and
// open/openat/creat force it on 64-bit callers (F_GETFL shows it).
constexpr int kOLargefile = 0100000;
// The flags open(2) keeps (VALID_OPEN_FLAGS); the rest are silently dropped.
constexpr int kValidOpenFlags = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
                                O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | kOLargefile | O_DIRECTORY |
                                O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE;
// Open-time-only flags do_dentry_open() clears from f_flags.
constexpr int kOpenOnlyFlags = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC;
// F_SETFL may change these (SETFL_MASK without FASYNC: SIGIO is not modelled).
constexpr int kSetflMask = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;
constexpr int kONotificationPipe = O_EXCL;  // O_NOTIFICATION_PIPE reuses O_EXCL's bit
constexpr int kPipe2Flags = O_CLOEXEC | O_NONBLOCK | O_DIRECT | kONotificationPipe;
constexpr mode_t kModeBits = 07777;        // S_IALLUGO
constexpr mode_t kMkdirModeBits = 01777;   // S_IRWXUGO | S_ISVTX: mkdir drops setuid/setgid
constexpr uint64_t kUioMaxIov = 1024;      // UIO_MAXIOV
constexpr size_t kChunk = 64 * 1024;       // host bounce buffer per transfer step
constexpr int64_t kMaxNonLfs = 0x7fffffff; // MAX_NON_LFS: 32-bit callers without O_LARGEFILE
constexpr int kStatFlags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
constexpr unsigned kStatxReserved = 0x80000000u;  // STATX__RESERVED

static_assert(sizeof(struct stat) == 144, "x86-64 struct stat is the guest's layout");
static_assert(sizeof(struct statx) == 256);
static_assert(sizeof(struct termios) == 36, "the kernel's struct termios, not glibc's");

struct GuestIovec {  // struct iovec on x86-64
    uint64_t base, len;
};
struct GuestFlock {  // struct flock on x86-64 (glibc's matches)
    int16_t type, whence;
    int64_t start, len;
    int32_t pid;
};
static_assert(sizeof(GuestFlock) == sizeof(struct flock));

// ---- small shared pieces --------------------------------------------------

int64_t neg_errno() { return -int64_t(errno); }

UserMemory& user(SyscallContext& ctx) { return ctx.process.mm; }

bool fmode_read(const OpenFile& f) {  // OPEN_FMODE(): access mode 3 grants neither
    int acc = f.status_flags & O_ACCMODE;
    return !(f.status_flags & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
}
bool fmode_write(const OpenFile& f) {
    int acc = f.status_flags & O_ACCMODE;
    return !(f.status_flags & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

// fdget(): O_PATH descriptors are invisible to most fd syscalls.
OpenFile* file_for_io(SyscallContext& ctx, int fd) {
    OpenFile* f = ctx.process.fds.get(fd);
    return (f && !(f->status_flags & O_PATH)) ? f : nullptr;
}

bool is_regular(int host_fd) {
    struct stat st{};
    return ::fstat(host_fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
}

// The guest path of (dirfd, path) for a path already copied in.
std::expected<std::string, int> at_path(SyscallContext& ctx, int dirfd, std::string_view path) {
    return resolve_at(ctx.kernel.fs(), ctx.process.fds, ctx.process.cwd, dirfd, path);
}

// copy_path + resolve_at: the usual first step of a path syscall.
std::expected<std::string, int> user_path_at(SyscallContext& ctx, int dirfd, uint64_t va) {
    auto path = copy_path(user(ctx), va);
    if (!path) return std::unexpected(path.error());
    return at_path(ctx, dirfd, *path);
}

template <class T> int64_t put_user(SyscallContext& ctx, uint64_t va, const T& value) {
    return user(ctx).write_value(va, value) ? 0 : -EFAULT;
}

// ---- moving bytes between host fds and guest memory -------------------------

struct UserSegment {
    uint64_t base;
    size_t len;
};

size_t total_length(std::span<const UserSegment> segs) {
    size_t n = 0;
    for (auto& s : segs) n += s.len;
    return n;
}

// Where the next byte of a segment list goes.
struct Cursor {
    size_t seg = 0, off = 0;
};

// A write that cannot kill sysentry with SIGPIPE: the guest's broken pipe comes
// back as EPIPE and the host-side SIGPIPE is blocked, then discarded.
ssize_t host_write(int fd, const void* buf, size_t n, std::optional<int64_t> pos) {
    sigset_t pipe_only, old, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    ssize_t r = pos ? ::pwrite(fd, buf, n, *pos) : ::write(fd, buf, n);
    int saved = errno;
    if (r < 0 && saved == EPIPE && !was_pending) {
        timespec zero{};
        sigtimedwait(&pipe_only, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return r;
}

ssize_t host_read(int fd, void* buf, size_t n, std::optional<int64_t> pos) {
    return pos ? ::pread(fd, buf, n, *pos) : ::read(fd, buf, n);
}

// Up to kChunk bytes of guest space from `at` that can be written, as
// (address, length) pieces; `fault` when an unwritable page cut it short.
struct Gather {
    std::vector<UserSegment> pieces;
    size_t bytes = 0;
    bool fault = false;
    Cursor next;
};

Gather gather_writable(UserMemory& mm, std::span<const UserSegment> segs, Cursor at) {
    Gather g;
    while (at.seg < segs.size() && g.bytes < kChunk) {
        const UserSegment& s = segs[at.seg];
        size_t want = std::min(s.len - at.off, kChunk - g.bytes);
        size_t ok = want ? writable_prefix(mm, s.base + at.off, want) : 0;
        if (ok) g.pieces.push_back({s.base + at.off, ok});
        g.bytes += ok;
        at.off += ok;
        if (ok < want) {
            g.fault = true;
            break;
        }
        if (at.off == s.len) at = {at.seg + 1, 0};
    }
    g.next = at;
    return g;
}

void scatter(UserMemory& mm, const Gather& g, const uint8_t* data, size_t n) {
    for (const UserSegment& piece : g.pieces) {
        size_t take = std::min(n, piece.len);
        mm.write(piece.base, data, take);  // probed writable just before
        data += take;
        n -= take;
        if (n == 0) break;
    }
}

// read/readv/pread64/preadv: fills the segments from the host fd. Regular
// files are read until the request is met; pipes and terminals get one host
// read, since a second could block after data already arrived.
int64_t read_to_user(UserMemory& mm, int host_fd, std::span<const UserSegment> segs, std::optional<int64_t> pos) {
    bool keep_going = is_regular(host_fd);
    std::vector<uint8_t> buf;
    int64_t total = 0;
    Cursor at;
    while (at.seg < segs.size()) {
        Gather g = gather_writable(mm, segs, at);
        if (g.bytes == 0) return (g.fault && total == 0) ? -EFAULT : total;
        buf.resize(g.bytes);
        ssize_t got = host_read(host_fd, buf.data(), g.bytes, pos);
        if (got < 0) return total ? total : neg_errno();
        scatter(mm, g, buf.data(), size_t(got));
        total += got;
        if (pos) *pos += got;
        if (size_t(got) < g.bytes || g.fault || !keep_going) break;
        at = g.next;
    }
    return total;
}

// write/writev/pwrite64/pwritev: copies the guest bytes it can reach (a fault
// part-way writes what came before it, as Linux does) and writes them.
int64_t write_from_user(const UserMemory& mm, int host_fd, std::span<const UserSegment> segs,
                        std::optional<int64_t> pos) {
    std::vector<uint8_t> buf(std::min(kChunk, total_length(segs)));
    int64_t total = 0;
    Cursor at;
    while (at.seg < segs.size()) {
        size_t have = 0;
        bool fault = false;
        while (at.seg < segs.size() && have < buf.size()) {
            const UserSegment& s = segs[at.seg];
            size_t want = std::min(s.len - at.off, buf.size() - have);
            size_t ok = want ? copy_from_user_prefix(mm, s.base + at.off, buf.data() + have, want) : 0;
            have += ok;
            at.off += ok;
            if (ok < want) {
                fault = true;
                break;
            }
            if (at.off == s.len) at = {at.seg + 1, 0};
        }
        if (have == 0) return (fault && total == 0) ? -EFAULT : total;
        ssize_t put = host_write(host_fd, buf.data(), have, pos);
        if (put < 0) return total ? total : neg_errno();
        total += put;
        if (pos) *pos += put;
        if (size_t(put) < have || fault) break;
    }
    return total;
}

// A write to a pipe with no reader: the writer gets SIGPIPE (pipe_write's
// send_sig: SI_USER from itself) as well as EPIPE; its default action kills.
int64_t finish_write(SyscallContext& ctx, int64_t ret) {
    if (ret == -EPIPE) post_signal(ctx.process, SIGPIPE, {SI_USER, ctx.process.tgid});
    return ret;
}

// One buffer as a segment list; the count is clamped as rw_verify_area does.
std::vector<UserSegment> single(uint64_t buf, uint64_t count) {
    return {UserSegment{buf, size_t(std::min<uint64_t>(count, kMaxRwCount))}};
}

// import_iovec(): validates the array and clamps the total to MAX_RW_COUNT.
std::expected<std::vector<UserSegment>, int> import_iovec(const UserMemory& mm, uint64_t iov, uint64_t count) {
    if (count > kUioMaxIov) return std::unexpected(-EINVAL);
    std::vector<GuestIovec> raw(count);
    if (count && !mm.read(iov, raw.data(), count * sizeof(GuestIovec))) return std::unexpected(-EFAULT);
    for (const GuestIovec& v : raw) {
        if (int64_t(v.len) < 0) return std::unexpected(-EINVAL);
    }
    std::vector<UserSegment> segs;
    size_t total = 0;
    for (const GuestIovec& v : raw) {
        if (!access_ok(v.base, v.len)) return std::unexpected(-EFAULT);
        size_t len = std::min<uint64_t>(v.len, kMaxRwCount - total);
        segs.push_back({v.base, len});
        total += len;
    }
    return segs;
}

// ---- read and write family ----------------------------------------------------

enum class Dir { in, out };

// The checks vfs_read/vfs_write make before touching the buffer.
int64_t check_rw(const OpenFile* f, Dir dir) {
    if (!f) return -EBADF;
    return (dir == Dir::in ? fmode_read(*f) : fmode_write(*f)) ? 0 : -EBADF;
}

int64_t transfer(SyscallContext& ctx, OpenFile& f, Dir dir, std::span<const UserSegment> segs,
                 std::optional<int64_t> pos, bool zero_length_reaches_file) {
    if (total_length(segs) == 0) {
        if (!zero_length_reaches_file) return 0;
        ssize_t r = dir == Dir::in ? host_read(f.host_fd, nullptr, 0, pos) : host_write(f.host_fd, nullptr, 0, pos);
        return r < 0 ? neg_errno() : r;
    }
    int64_t r = dir == Dir::in ? read_to_user(user(ctx), f.host_fd, segs, pos)
                               : finish_write(ctx, write_from_user(user(ctx), f.host_fd, segs, pos));
    // A blocking guest fd whose host side would block: wait in the scheduler.
    if (r == -EAGAIN && f.host_nonblocking && !(f.status_flags & O_NONBLOCK)) return kRetryLater;
    return r;
}

// read/write/pread64/pwrite64 share this; `pos` is set for the p* calls.
int64_t simple_rw(SyscallContext& ctx, Dir dir, std::optional<int64_t> pos) {
    if (pos && *pos < 0) return -EINVAL;
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (int64_t err = check_rw(f, dir)) return err;
    if (dir == Dir::in && !pos) refresh_proc_file(ctx.kernel, ctx.process, *f);
    if (!access_ok(ctx.arg(1), ctx.arg(2))) return -EFAULT;
    return transfer(ctx, *f, dir, single(ctx.arg(1), ctx.arg(2)), pos, true);
}

int64_t vector_rw(SyscallContext& ctx, Dir dir, std::optional<int64_t> pos) {
    if (pos && *pos < 0) return -EINVAL;
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (int64_t err = check_rw(f, dir)) return err;
    auto segs = import_iovec(user(ctx), ctx.arg(1), ctx.arg(2));
    if (!segs) return segs.error();
    return transfer(ctx, *f, dir, *segs, pos, false);
}

int64_t sys_read(SyscallContext& ctx) { return simple_rw(ctx, Dir::in, std::nullopt); }
int64_t sys_write(SyscallContext& ctx) { return simple_rw(ctx, Dir::out, std::nullopt); }
int64_t sys_pread64(SyscallContext& ctx) { return simple_rw(ctx, Dir::in, int64_t(ctx.arg(3))); }
int64_t sys_pwrite64(SyscallContext& ctx) { return simple_rw(ctx, Dir::out, int64_t(ctx.arg(3))); }
int64_t sys_readv(SyscallContext& ctx) { return vector_rw(ctx, Dir::in, std::nullopt); }
int64_t sys_writev(SyscallContext& ctx) { return vector_rw(ctx, Dir::out, std::nullopt); }
// preadv(fd, iov, cnt, pos_l, pos_h): on 64-bit the offset is pos_l alone.
int64_t sys_preadv(SyscallContext& ctx) { return vector_rw(ctx, Dir::in, int64_t(ctx.arg(3))); }
int64_t sys_pwritev(SyscallContext& ctx) { return vector_rw(ctx, Dir::out, int64_t(ctx.arg(3))); }

// A directory whose listing merges the layers of a copy-on-write root.
bool merged_directory(SyscallContext& ctx, const OpenFile& f) { return f.is_directory && ctx.kernel.fs().layered(); }

// Its position is an index into the listing; seeking to 0 reads it afresh (rewinddir).
int64_t seek_merged_directory(OpenFile& f, int64_t offset, int whence) {
    if (whence == SEEK_CUR) offset += int64_t(f.merged_next);
    else if (whence != SEEK_SET) return -EINVAL;
    if (offset < 0) return -EINVAL;
    f.merged_next = size_t(offset);
    if (offset == 0) f.merged_listing.reset();
    return offset;
}

int64_t sys_lseek(SyscallContext& ctx) {
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    // i386's lseek takes a signed 32-bit off_t.
    int64_t offset = ctx.abi == SyscallAbi::i386 ? int64_t(int32_t(ctx.arg(1))) : int64_t(ctx.arg(1));
    if (merged_directory(ctx, *f)) return seek_merged_directory(*f, offset, int(ctx.arg(2)));
    off_t r = ::lseek(f->host_fd, offset, int(ctx.arg(2)));
    return r < 0 ? neg_errno() : r;
}

// ---- opening and closing -------------------------------------------------------

// What F_GETFL will report for a file opened with `flags` (build_open_flags,
// do_dentry_open).
int status_flags_for_open(int flags) {
    flags &= kValidOpenFlags & ~O_CLOEXEC;
    if ((flags & O_PATH) && (flags & O_TMPFILE) != O_TMPFILE) flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH;
    return flags & ~kOpenOnlyFlags;
}

int64_t do_open(SyscallContext& ctx, int dirfd, uint64_t path_va, int flags, mode_t mode) {
    auto path = user_path_at(ctx, dirfd, path_va);
    if (!path) return path.error();
    // get_unused_fd_flags() runs before the lookup: a full table wins over ENOENT.
    if (ctx.process.fds.count() >= FdTable::kMaxFds) return -EMFILE;
    bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    mode_t create_mode = creates ? (mode & kModeBits & ~ctx.process.umask) : 0;
    auto special = open_device(*path, flags);
    if (!special) special = open_proc(ctx.kernel, ctx.process, *path);
    auto host = special ? *special : ctx.kernel.fs().open(*path, flags, create_mode);
    if (!host) return host.error();
    struct stat st{};
    bool dir = ::fstat(*host, &st) == 0 && S_ISDIR(st.st_mode);
    auto file = std::make_shared<OpenFile>(*host, status_flags_for_open(flags), *path, dir);
    return ctx.process.fds.install(std::move(file), flags & O_CLOEXEC);
}

// 64-bit open/openat/creat force O_LARGEFILE; i386's compat open/openat do not.
int open_flags(const SyscallContext& ctx, int flags) {
    return ctx.abi == SyscallAbi::i386 ? flags : flags | kOLargefile;
}

int64_t sys_open(SyscallContext& ctx) {
    return do_open(ctx, kAtFdcwd, ctx.arg(0), open_flags(ctx, ctx.iarg(1)), mode_t(ctx.arg(2)));
}
int64_t sys_openat(SyscallContext& ctx) {
    return do_open(ctx, ctx.iarg(0), ctx.arg(1), open_flags(ctx, ctx.iarg(2)), mode_t(ctx.arg(3)));
}
int64_t sys_creat(SyscallContext& ctx) {
    return do_open(ctx, kAtFdcwd, ctx.arg(0), O_CREAT | O_WRONLY | O_TRUNC | kOLargefile, mode_t(ctx.arg(1)));
}

int64_t sys_close(SyscallContext& ctx) { return ctx.process.fds.close(ctx.iarg(0)); }

// ---- stat family --------------------------------------------------------------

template <class T> int64_t put_result(SyscallContext& ctx, uint64_t va, const std::expected<T, int>& r) {
    if (!r) return r.error();
    return put_user(ctx, va, *r);
}

std::expected<struct stat, int> host_fstat(int host_fd) {
    struct stat st{};
    if (::fstat(host_fd, &st) != 0) return std::unexpected(-errno);
    return st;
}

int64_t sys_fstat(SyscallContext& ctx) {
    OpenFile* f = ctx.process.fds.get(ctx.iarg(0));  // O_PATH fds may be fstat'ed
    if (!f) return -EBADF;
    return put_result(ctx, ctx.arg(1), host_fstat(f->host_fd));
}

int64_t stat_path(SyscallContext& ctx, bool follow) {
    auto path = user_path_at(ctx, kAtFdcwd, ctx.arg(0));
    if (!path) return path.error();
    return put_result(ctx, ctx.arg(1), ctx.kernel.fs().stat(*path, follow));
}

int64_t sys_stat(SyscallContext& ctx) { return stat_path(ctx, true); }
int64_t sys_lstat(SyscallContext& ctx) { return stat_path(ctx, false); }

// AT_EMPTY_PATH: the path names dirfd itself (the cwd for AT_FDCWD). A NULL
// path counts as empty too (Linux 6.10+).
std::expected<std::string, int> copy_at_path(SyscallContext& ctx, uint64_t va, int flags) {
    bool empty_ok = flags & AT_EMPTY_PATH;
    if (empty_ok && va == 0) return std::string();
    return copy_path(user(ctx), va, empty_ok);
}

int64_t sys_newfstatat(SyscallContext& ctx) {
    int dirfd = ctx.iarg(0), flags = ctx.iarg(3);
    auto path = copy_at_path(ctx, ctx.arg(1), flags);
    if (!path) return path.error();
    if (flags & ~kStatFlags) return -EINVAL;
    if (path->empty() && dirfd != kAtFdcwd) {
        OpenFile* f = ctx.process.fds.get(dirfd);
        if (!f) return -EBADF;
        return put_result(ctx, ctx.arg(2), host_fstat(f->host_fd));
    }
    auto abs = path->empty() ? std::expected<std::string, int>(ctx.process.cwd) : at_path(ctx, dirfd, *path);
    if (!abs) return abs.error();
    return put_result(ctx, ctx.arg(2), ctx.kernel.fs().stat(*abs, !(flags & AT_SYMLINK_NOFOLLOW)));
}

int64_t sys_statx(SyscallContext& ctx) {
    int dirfd = ctx.iarg(0), flags = ctx.iarg(2);
    unsigned mask = unsigned(ctx.arg(3));
    auto path = copy_at_path(ctx, ctx.arg(1), flags);
    if (!path) return path.error();
    if (mask & kStatxReserved) return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return -EINVAL;
    if (flags & ~kStatFlags) return -EINVAL;
    if (path->empty() && dirfd != kAtFdcwd) {
        OpenFile* f = ctx.process.fds.get(dirfd);
        if (!f) return -EBADF;
        struct statx stx{};
        if (::statx(f->host_fd, "", AT_EMPTY_PATH | (flags & AT_STATX_SYNC_TYPE), mask, &stx) != 0)
            return neg_errno();
        return put_user(ctx, ctx.arg(4), stx);
    }
    auto abs = path->empty() ? std::expected<std::string, int>(ctx.process.cwd) : at_path(ctx, dirfd, *path);
    if (!abs) return abs.error();
    return put_result(ctx, ctx.arg(4), ctx.kernel.fs().statx(*abs, !(flags & AT_SYMLINK_NOFOLLOW), mask));
}

// ---- links and names ----------------------------------------------------------

int64_t put_link(SyscallContext& ctx, const std::string& target, uint64_t buf, int bufsiz) {
    size_t n = std::min(target.size(), size_t(bufsiz));
    if (n && !user(ctx).write(buf, target.data(), n)) return -EFAULT;
    return int64_t(n);
}

int64_t do_readlink(SyscallContext& ctx, int dirfd, uint64_t path_va, uint64_t buf, int bufsiz) {
    if (bufsiz <= 0) return -EINVAL;
    auto path = copy_path(user(ctx), path_va, true);  // LOOKUP_EMPTY: "" names dirfd
    if (!path) return path.error();
    if (path->empty()) {
        OpenFile* f = dirfd == kAtFdcwd ? nullptr : ctx.process.fds.get(dirfd);
        if (dirfd != kAtFdcwd && !f) return -EBADF;
        if (!f) return -ENOENT;  // the cwd is a directory, not a link
        std::string target(kPathMax, '\0');
        ssize_t n = ::readlinkat(f->host_fd, "", target.data(), target.size());
        if (n < 0) return errno == EINVAL ? -ENOENT : neg_errno();
        target.resize(size_t(n));
        return put_link(ctx, target, buf, bufsiz);
    }
    auto abs = at_path(ctx, dirfd, *path);
    if (!abs) return abs.error();
    if (auto link = readlink_proc(ctx.kernel, ctx.process, *abs)) {
        if (!*link) return link->error();
        return put_link(ctx, **link, buf, bufsiz);
    }
    auto target = ctx.kernel.fs().readlink(*abs);
    if (!target) return target.error();
    return put_link(ctx, *target, buf, bufsiz);
}

int64_t sys_readlink(SyscallContext& ctx) {
    return do_readlink(ctx, kAtFdcwd, ctx.arg(0), ctx.arg(1), ctx.iarg(2));
}
int64_t sys_readlinkat(SyscallContext& ctx) {
    return do_readlink(ctx, ctx.iarg(0), ctx.arg(1), ctx.arg(2), ctx.iarg(3));
}

// ---- access -------------------------------------------------------------------

int64_t do_faccessat(SyscallContext& ctx, int dirfd, uint64_t path_va, int mode, int flags) {
    if (mode & ~(R_OK | W_OK | X_OK)) return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    auto path = copy_path(user(ctx), path_va, flags & AT_EMPTY_PATH);
    if (!path) return path.error();
    bool follow = !(flags & AT_SYMLINK_NOFOLLOW), effective = flags & AT_EACCESS;
    if (path->empty() && dirfd != kAtFdcwd) {
        OpenFile* f = ctx.process.fds.get(dirfd);
        if (!f) return -EBADF;
        int host_flags = AT_EMPTY_PATH | (flags & (AT_EACCESS | AT_SYMLINK_NOFOLLOW));
        return ::syscall(SYS_faccessat2, f->host_fd, "", mode, host_flags) == 0 ? 0 : neg_errno();
    }
    auto abs = path->empty() ? std::expected<std::string, int>(ctx.process.cwd) : at_path(ctx, dirfd, *path);
    if (!abs) return abs.error();
    return ctx.kernel.fs().access(*abs, mode, follow, effective);
}

int64_t sys_access(SyscallContext& ctx) { return do_faccessat(ctx, kAtFdcwd, ctx.arg(0), ctx.iarg(1), 0); }
int64_t sys_faccessat(SyscallContext& ctx) { return do_faccessat(ctx, ctx.iarg(0), ctx.arg(1), ctx.iarg(2), 0); }
int64_t sys_faccessat2(SyscallContext& ctx) {
    return do_faccessat(ctx, ctx.iarg(0), ctx.arg(1), ctx.iarg(2), ctx.iarg(3));
}

// ---- working directory --------------------------------------------------------

int64_t sys_getcwd(SyscallContext& ctx) {
    const std::string& cwd = ctx.process.cwd;
    if (!ctx.kernel.fs().stat(cwd, true)) return -ENOENT;  // d_unlinked(): removed under us
    uint64_t len = cwd.size() + 1;
    if (len > ctx.arg(1)) return -ERANGE;
    if (!user(ctx).write(ctx.arg(0), cwd.c_str(), len)) return -EFAULT;
    return int64_t(len);
}

int64_t set_cwd(SyscallContext& ctx, const std::string& guest_dir) {
    auto canonical = ctx.kernel.fs().canonical_directory(guest_dir);
    if (!canonical) return canonical.error();
    ctx.process.cwd = *canonical;
    return 0;
}

int64_t sys_chdir(SyscallContext& ctx) {
    auto path = user_path_at(ctx, kAtFdcwd, ctx.arg(0));
    if (!path) return path.error();
    return set_cwd(ctx, *path);
}

int64_t sys_fchdir(SyscallContext& ctx) {
    OpenFile* f = ctx.process.fds.get(ctx.iarg(0));
    if (!f) return -EBADF;
    auto st = host_fstat(f->host_fd);
    if (!st) return st.error();
    if (!S_ISDIR(st->st_mode)) return -ENOTDIR;
    auto where = ctx.kernel.fs().guest_path_of(f->host_fd);
    if (!where) return where.error();
    return set_cwd(ctx, *where);
}

// ---- duplicating and fcntl ----------------------------------------------------

int64_t sys_dup(SyscallContext& ctx) {
    auto file = ctx.process.fds.share(ctx.iarg(0));
    if (!file) return -EBADF;
    return ctx.process.fds.install(std::move(file), false);
}

int64_t do_dup3(SyscallContext& ctx, int oldfd, int newfd, int flags) {
    if (flags & ~O_CLOEXEC) return -EINVAL;
    if (oldfd == newfd) return -EINVAL;
    if (uint32_t(newfd) >= uint32_t(FdTable::kMaxFds)) return -EBADF;
    auto file = ctx.process.fds.share(oldfd);
    if (!file) return -EBADF;
    return ctx.process.fds.install_at(newfd, std::move(file), flags & O_CLOEXEC);
}

int64_t sys_dup2(SyscallContext& ctx) {
    int oldfd = ctx.iarg(0), newfd = ctx.iarg(1);
    if (oldfd == newfd) return ctx.process.fds.get(oldfd) ? newfd : -EBADF;
    return do_dup3(ctx, oldfd, newfd, 0);
}

int64_t sys_dup3(SyscallContext& ctx) { return do_dup3(ctx, ctx.iarg(0), ctx.iarg(1), ctx.iarg(2)); }

int64_t fcntl_dupfd(SyscallContext& ctx, int fd, uint32_t from, bool cloexec) {
    if (from >= uint32_t(FdTable::kMaxFds)) return -EINVAL;  // RLIMIT_NOFILE
    auto file = ctx.process.fds.share(fd);
    return ctx.process.fds.install(std::move(file), cloexec, int(from));
}

int64_t fcntl_setfl(OpenFile& f, int arg) {
    int wanted = (f.status_flags & ~kSetflMask) | (arg & kSetflMask);
    int host = ::fcntl(f.host_fd, F_GETFL);
    if (host < 0) return neg_errno();
    int host_wanted = (host & ~kSetflMask) | (arg & kSetflMask);
    if (f.host_nonblocking) host_wanted |= O_NONBLOCK;  // the guest's O_NONBLOCK lives in status_flags
    if (::fcntl(f.host_fd, F_SETFL, host_wanted) != 0) return neg_errno();
    f.status_flags = wanted;
    return 0;
}

bool is_lock_cmd(int cmd) {
    return cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_GETLK || cmd == F_OFD_SETLK ||
           cmd == F_OFD_SETLKW;
}

// Record locks go to the host: the guest is the only user of its host process,
// so conflicts are with other host processes (or, for OFD locks, other fds).
int64_t fcntl_lock(SyscallContext& ctx, OpenFile& f, int cmd, uint64_t arg) {
    if (ctx.abi != SyscallAbi::x86_64) return -EINVAL;  // compat struct flock is not translated
    auto fl = user(ctx).read_value<struct flock>(arg);
    if (!fl) return -EFAULT;
    if (::fcntl(f.host_fd, cmd, &*fl) != 0) return neg_errno();
    bool query = cmd == F_GETLK || cmd == F_OFD_GETLK;
    return query ? put_user(ctx, arg, *fl) : 0;
}

int64_t sys_fcntl(SyscallContext& ctx) {
    int fd = ctx.iarg(0), cmd = ctx.iarg(1);
    uint64_t arg = ctx.arg(2);
    OpenFile* f = ctx.process.fds.get(fd);
    if (!f) return -EBADF;
    bool path_only = f->status_flags & O_PATH;  // fdget_raw: O_PATH allows only a few
    switch (cmd) {
    case F_DUPFD: return fcntl_dupfd(ctx, fd, uint32_t(arg), false);
    case F_DUPFD_CLOEXEC: return fcntl_dupfd(ctx, fd, uint32_t(arg), true);
    case F_GETFD: return ctx.process.fds.cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: ctx.process.fds.set_cloexec(fd, arg & FD_CLOEXEC); return 0;
    case F_GETFL: return f->status_flags;
    }
    if (path_only) return -EBADF;
    switch (cmd) {
    // Nobody ever set an owner or a signal (F_SETOWN* is not modelled).
    case F_GETOWN: case F_GETSIG: return 0;
    case F_GETOWN_EX: return put_user(ctx, arg, f_owner_ex{F_OWNER_TID, 0});
    case F_SETFL: return fcntl_setfl(*f, int(arg));
    case F_GETPIPE_SZ: case F_SETPIPE_SZ: case F_ADD_SEALS: case F_GET_SEALS: {
        int r = ::fcntl(f->host_fd, cmd, int(arg));
        return r < 0 ? neg_errno() : r;
    }
    }
    if (is_lock_cmd(cmd)) return fcntl_lock(ctx, *f, cmd, arg);
    ctx.kernel.warn(fmt::format("fcntl command {} is not modelled: returning -EINVAL", cmd));
    return -EINVAL;
}

// ---- ioctl ------------------------------------------------------------------------

// TIOCGPGRP: while sysentry's terminal group is in the foreground, the guest
// (which models being in the foreground) sees its own process group.
int64_t ioctl_tiocgpgrp(SyscallContext& ctx, const OpenFile& f, uint64_t arg) {
    pid_t host_pgrp = 0;
    if (::ioctl(f.host_fd, TIOCGPGRP, &host_pgrp) != 0) return neg_errno();
    int32_t pgrp = host_pgrp == ::getpgrp() ? ctx.process.pgid : host_pgrp;
    return put_user(ctx, arg, pgrp);
}

template <class T> int64_t ioctl_query(SyscallContext& ctx, const OpenFile& f, unsigned long cmd, uint64_t arg) {
    T value{};
    if (::ioctl(f.host_fd, cmd, &value) != 0) return neg_errno();
    return put_user(ctx, arg, value);
}

int64_t ioctl_fionbio(SyscallContext& ctx, OpenFile& f, uint64_t arg) {
    auto on = user(ctx).read_value<int32_t>(arg);
    if (!on) return -EFAULT;
    int flags = *on ? f.status_flags | O_NONBLOCK : f.status_flags & ~O_NONBLOCK;
    return fcntl_setfl(f, flags);
}

int64_t sys_ioctl(SyscallContext& ctx) {
    int fd = ctx.iarg(0);
    unsigned cmd = unsigned(ctx.arg(1));
    uint64_t arg = ctx.arg(2);
    OpenFile* f = file_for_io(ctx, fd);
    if (!f) return -EBADF;
    switch (cmd) {
    case FIOCLEX: ctx.process.fds.set_cloexec(fd, true); return 0;
    case FIONCLEX: ctx.process.fds.set_cloexec(fd, false); return 0;
    case FIONBIO: return ioctl_fionbio(ctx, *f, arg);
    case TCGETS: return ioctl_query<struct termios>(ctx, *f, TCGETS, arg);
    case TIOCGWINSZ: return ioctl_query<struct winsize>(ctx, *f, TIOCGWINSZ, arg);
    case FIONREAD: return ioctl_query<int32_t>(ctx, *f, FIONREAD, arg);
    case TIOCGPGRP: return ioctl_tiocgpgrp(ctx, *f, arg);
    }
    ctx.kernel.warn(fmt::format("ioctl {:#x} is not modelled: returning -ENOTTY", cmd));
    return -ENOTTY;
}

// ---- creating and removing names ----------------------------------------------

int64_t do_mkdirat(SyscallContext& ctx, int dirfd, uint64_t path_va, mode_t mode) {
    auto path = user_path_at(ctx, dirfd, path_va);
    if (!path) return path.error();
    return ctx.kernel.fs().mkdir(*path, mode & kMkdirModeBits & ~ctx.process.umask);
}

int64_t sys_mkdir(SyscallContext& ctx) { return do_mkdirat(ctx, kAtFdcwd, ctx.arg(0), mode_t(ctx.arg(1))); }
int64_t sys_mkdirat(SyscallContext& ctx) { return do_mkdirat(ctx, ctx.iarg(0), ctx.arg(1), mode_t(ctx.arg(2))); }

int64_t sys_rmdir(SyscallContext& ctx) {
    auto path = user_path_at(ctx, kAtFdcwd, ctx.arg(0));
    return path ? ctx.kernel.fs().rmdir(*path) : path.error();
}

int64_t sys_unlink(SyscallContext& ctx) {
    auto path = user_path_at(ctx, kAtFdcwd, ctx.arg(0));
    return path ? ctx.kernel.fs().unlink(*path) : path.error();
}

int64_t sys_unlinkat(SyscallContext& ctx) {
    int flags = ctx.iarg(2);
    if (flags & ~AT_REMOVEDIR) return -EINVAL;
    auto path = user_path_at(ctx, ctx.iarg(0), ctx.arg(1));
    if (!path) return path.error();
    return (flags & AT_REMOVEDIR) ? ctx.kernel.fs().rmdir(*path) : ctx.kernel.fs().unlink(*path);
}

int64_t do_renameat2(SyscallContext& ctx, int olddir, uint64_t oldpath, int newdir, uint64_t newpath,
                     unsigned flags) {
    if (flags & ~unsigned(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
    if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && (flags & RENAME_EXCHANGE)) return -EINVAL;
    auto from = user_path_at(ctx, olddir, oldpath);
    if (!from) return from.error();
    auto to = user_path_at(ctx, newdir, newpath);
    if (!to) return to.error();
    return ctx.kernel.fs().rename(*from, *to, flags);
}

int64_t sys_rename(SyscallContext& ctx) { return do_renameat2(ctx, kAtFdcwd, ctx.arg(0), kAtFdcwd, ctx.arg(1), 0); }
int64_t sys_renameat(SyscallContext& ctx) {
    return do_renameat2(ctx, ctx.iarg(0), ctx.arg(1), ctx.iarg(2), ctx.arg(3), 0);
}
int64_t sys_renameat2(SyscallContext& ctx) {
    return do_renameat2(ctx, ctx.iarg(0), ctx.arg(1), ctx.iarg(2), ctx.arg(3), unsigned(ctx.arg(4)));
}

// linkat(fd, "", ..., AT_EMPTY_PATH) links the object the fd names (Linux
// 6.10+ allows it to the fd's opener). Done through the object's current
// name, so a file without one (unlinked, O_TMPFILE) gives -ENOENT.
std::expected<std::string, int> linkable_name_of(SyscallContext& ctx, int dirfd) {
    if (dirfd == kAtFdcwd) return std::unexpected(-EPERM);  // the cwd: a directory
    OpenFile* f = ctx.process.fds.get(dirfd);
    if (!f) return std::unexpected(-EBADF);
    auto st = host_fstat(f->host_fd);
    if (!st) return std::unexpected(st.error());
    if (S_ISDIR(st->st_mode)) return std::unexpected(-EPERM);
    return ctx.kernel.fs().guest_path_of(f->host_fd);
}

int64_t do_linkat(SyscallContext& ctx, int olddir, uint64_t oldpath, int newdir, uint64_t newpath, int flags) {
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    auto old_name = copy_path(user(ctx), oldpath, flags & AT_EMPTY_PATH);
    if (!old_name) return old_name.error();
    auto from = old_name->empty() ? linkable_name_of(ctx, olddir) : at_path(ctx, olddir, *old_name);
    if (!from) return from.error();
    auto to = user_path_at(ctx, newdir, newpath);
    if (!to) return to.error();
    return ctx.kernel.fs().link(*from, *to, flags & AT_SYMLINK_FOLLOW);
}

int64_t sys_link(SyscallContext& ctx) { return do_linkat(ctx, kAtFdcwd, ctx.arg(0), kAtFdcwd, ctx.arg(1), 0); }
int64_t sys_linkat(SyscallContext& ctx) {
    return do_linkat(ctx, ctx.iarg(0), ctx.arg(1), ctx.iarg(2), ctx.arg(3), ctx.iarg(4));
}

int64_t do_symlinkat(SyscallContext& ctx, uint64_t target_va, int newdir, uint64_t linkpath) {
    auto target = copy_path(user(ctx), target_va);
    if (!target) return target.error();
    auto link = user_path_at(ctx, newdir, linkpath);
    if (!link) return link.error();
    return ctx.kernel.fs().symlink(*target, *link);
}

int64_t sys_symlink(SyscallContext& ctx) { return do_symlinkat(ctx, ctx.arg(0), kAtFdcwd, ctx.arg(1)); }
int64_t sys_symlinkat(SyscallContext& ctx) { return do_symlinkat(ctx, ctx.arg(0), ctx.iarg(1), ctx.arg(2)); }

// ---- attributes ----------------------------------------------------------------

int64_t do_fchmodat(SyscallContext& ctx, int dirfd, uint64_t path_va, mode_t mode) {
    auto path = user_path_at(ctx, dirfd, path_va);
    if (!path) return path.error();
    return ctx.kernel.fs().chmod(*path, mode & kModeBits, true);
}

int64_t sys_chmod(SyscallContext& ctx) { return do_fchmodat(ctx, kAtFdcwd, ctx.arg(0), mode_t(ctx.arg(1))); }

// chown family: the guest is root in its sandbox; ownership changes go to the host
// file when the host lets sysentry make them.
int64_t do_fchownat(SyscallContext& ctx, int dirfd, uint64_t path_va, uint64_t uid, uint64_t gid, bool follow) {
    auto path = user_path_at(ctx, dirfd, path_va);
    if (!path) return path.error();
    return ctx.kernel.fs().chown(*path, uid_t(uid), gid_t(gid), follow);
}
int64_t sys_chown(SyscallContext& ctx) { return do_fchownat(ctx, kAtFdcwd, ctx.arg(0), ctx.arg(1), ctx.arg(2), true); }
int64_t sys_lchown(SyscallContext& ctx) { return do_fchownat(ctx, kAtFdcwd, ctx.arg(0), ctx.arg(1), ctx.arg(2), false); }
int64_t sys_fchownat(SyscallContext& ctx) {
    int flags = ctx.iarg(4);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    return do_fchownat(ctx, ctx.iarg(0), ctx.arg(1), ctx.arg(2), ctx.arg(3), !(flags & AT_SYMLINK_NOFOLLOW));
}
int64_t sys_fchown(SyscallContext& ctx) {
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    return ctx.kernel.fs().fchown(f->host_fd, uid_t(ctx.arg(1)), gid_t(ctx.arg(2)));
}

// utimensat(dirfd, path, times, flags); a NULL path sets the times of dirfd itself.
int64_t sys_utimensat(SyscallContext& ctx) {
    int flags = ctx.iarg(3);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    timespec times[2];
    timespec* t = nullptr;
    if (ctx.arg(2)) {
        if (!user(ctx).read(ctx.arg(2), times, sizeof times)) return -EFAULT;
        t = times;
    }
    if (!ctx.arg(1)) {
        OpenFile* f = file_for_io(ctx, ctx.iarg(0));
        if (!f) return -EBADF;
        return ctx.kernel.fs().futimens(f->host_fd, t);
    }
    auto path = user_path_at(ctx, ctx.iarg(0), ctx.arg(1));
    if (!path) return path.error();
    return ctx.kernel.fs().utimens(*path, t, !(flags & AT_SYMLINK_NOFOLLOW));
}
int64_t sys_fchmodat(SyscallContext& ctx) { return do_fchmodat(ctx, ctx.iarg(0), ctx.arg(1), mode_t(ctx.arg(2))); }

int64_t sys_fchmod(SyscallContext& ctx) {
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    return ctx.kernel.fs().fchmod(f->host_fd, mode_t(ctx.arg(1)) & kModeBits);
}

int64_t sys_truncate(SyscallContext& ctx) {
    // i386's truncate takes a signed 32-bit length.
    int64_t length = ctx.abi == SyscallAbi::i386 ? int64_t(int32_t(ctx.arg(1))) : int64_t(ctx.arg(1));
    auto path = user_path_at(ctx, kAtFdcwd, ctx.arg(0));
    if (!path) return path.error();
    return ctx.kernel.fs().truncate(*path, length);
}

int64_t sys_ftruncate(SyscallContext& ctx) {
    bool compat = ctx.abi == SyscallAbi::i386;  // compat_ulong_t length, 2 GiB cap without O_LARGEFILE
    int64_t length = compat ? int64_t(uint32_t(ctx.arg(1))) : int64_t(ctx.arg(1));
    if (length < 0) return -EINVAL;
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    if (compat && !(f->status_flags & kOLargefile) && length > kMaxNonLfs) return -EINVAL;
    return ::ftruncate(f->host_fd, length) == 0 ? 0 : neg_errno();
}

int64_t sys_umask(SyscallContext& ctx) {
    mode_t old = ctx.process.umask;
    ctx.process.umask = mode_t(ctx.arg(0)) & 0777;
    return old;
}

int64_t sys_fsync(SyscallContext& ctx) {
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    return ::fsync(f->host_fd) == 0 ? 0 : neg_errno();
}

int64_t sys_fdatasync(SyscallContext& ctx) {
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    return ::fdatasync(f->host_fd) == 0 ? 0 : neg_errno();
}

// ---- directories and pipes ---------------------------------------------------------

// The host's linux_dirent64 records are the guest's format: copied unchanged.
// The host buffer is no bigger than the writable part of the guest's, so no
// entry is consumed that could not be delivered.
// linux_dirent64: d_ino, d_off, d_reclen, d_type, then the NUL-terminated
// name, the record padded to 8 bytes.
constexpr size_t kDirentHead = 8 + 8 + 2 + 1;

size_t dirent_length(const DirectoryEntry& e) { return (kDirentHead + e.name.size() + 1 + 7) & ~size_t(7); }

void append_dirent(std::vector<uint8_t>& out, const DirectoryEntry& e, int64_t next_offset) {
    size_t at = out.size();
    uint16_t reclen = uint16_t(dirent_length(e));
    out.resize(at + reclen, 0);
    std::memcpy(&out[at], &e.ino, 8);
    std::memcpy(&out[at + 8], &next_offset, 8);
    std::memcpy(&out[at + 16], &reclen, 2);
    out[at + 18] = e.type;
    std::memcpy(&out[at + kDirentHead], e.name.data(), e.name.size());
}

// getdents64 on a merged directory: records from the listing, as many as fit.
int64_t merged_getdents64(SyscallContext& ctx, OpenFile& f, uint64_t dirp, size_t room, size_t want) {
    if (!f.merged_listing) {
        auto path = ctx.kernel.fs().guest_path_of(f.host_fd);
        auto listing = path ? ctx.kernel.fs().list_directory(*path)
                            : std::expected<std::vector<DirectoryEntry>, int>();  // removed: empty, as Linux
        if (!listing) return listing.error();
        f.merged_listing = std::make_shared<const std::vector<DirectoryEntry>>(std::move(*listing));
    }
    const auto& entries = *f.merged_listing;
    std::vector<uint8_t> out;
    while (f.merged_next < entries.size() && out.size() + dirent_length(entries[f.merged_next]) <= room) {
        append_dirent(out, entries[f.merged_next], int64_t(f.merged_next + 1));
        ++f.merged_next;
    }
    if (out.empty() && f.merged_next < entries.size()) return room < want ? -EFAULT : -EINVAL;
    user(ctx).write(dirp, out.data(), out.size());
    return int64_t(out.size());
}

int64_t sys_getdents64(SyscallContext& ctx) {
    OpenFile* f = file_for_io(ctx, ctx.iarg(0));
    if (!f) return -EBADF;
    uint64_t dirp = ctx.arg(1);
    size_t want = std::min<size_t>(uint32_t(ctx.arg(2)), kChunk);
    size_t room = writable_prefix(user(ctx), dirp, want);
    if (merged_directory(ctx, *f)) return merged_getdents64(ctx, *f, dirp, room, want);
    std::vector<uint8_t> buf(room);
    long n = ::syscall(SYS_getdents64, f->host_fd, buf.data(), room);
    if (n < 0) return (errno == EINVAL && room < want) ? -EFAULT : neg_errno();
    user(ctx).write(dirp, buf.data(), size_t(n));
    return n;
}

int64_t do_pipe2(SyscallContext& ctx, uint64_t fds_va, int flags) {
    if (flags & ~kPipe2Flags) return -EINVAL;
    int host[2];
    if (::pipe2(host, O_CLOEXEC | O_NONBLOCK | (flags & ~O_CLOEXEC)) != 0) return neg_errno();
    int kept = flags & (O_NONBLOCK | O_DIRECT);
    auto read_end = std::make_shared<OpenFile>(host[0], O_RDONLY | kept);
    auto write_end = std::make_shared<OpenFile>(host[1], O_WRONLY | kept);
    read_end->host_nonblocking = write_end->host_nonblocking = true;
    FdTable& fds = ctx.process.fds;
    bool cloexec = flags & O_CLOEXEC;
    int fd0 = fds.install(std::move(read_end), cloexec);
    if (fd0 < 0) return fd0;
    int fd1 = fds.install(std::move(write_end), cloexec);
    if (fd1 < 0) {
        fds.close(fd0);
        return fd1;
    }
    const int32_t out[2] = {fd0, fd1};
    if (!user(ctx).write(fds_va, out, sizeof out)) {
        fds.close(fd0);
        fds.close(fd1);
        return -EFAULT;
    }
    return 0;
}

int64_t sys_pipe(SyscallContext& ctx) { return do_pipe2(ctx, ctx.arg(0), 0); }

// sendfile(out, in, offset, count): in-kernel copy between two files. With an
// offset pointer the input is read at *offset and its file position is left alone.
int64_t sys_sendfile(SyscallContext& ctx) {
    OpenFile* out = file_for_io(ctx, ctx.iarg(0));
    OpenFile* in = file_for_io(ctx, ctx.iarg(1));
    if (!out || !in || !fmode_write(*out) || !fmode_read(*in)) return -EBADF;
    if (out->status_flags & O_APPEND) return -EINVAL;
    std::optional<int64_t> pos;
    if (ctx.arg(2)) {
        auto at = user(ctx).read_value<int64_t>(ctx.arg(2));
        if (!at) return -EFAULT;
        if (*at < 0) return -EINVAL;
        pos = *at;
    }
    uint64_t count = std::min<uint64_t>(ctx.arg(3), kMaxRwCount), done = 0;
    std::vector<uint8_t> buf(std::min<uint64_t>(count, 1 << 16));
    while (done < count) {
        ssize_t got = host_read(in->host_fd, buf.data(), std::min<uint64_t>(buf.size(), count - done), pos);
        if (got <= 0) {
            if (got < 0 && done == 0) return neg_errno();
            break;
        }
        ssize_t put = host_write(out->host_fd, buf.data(), size_t(got), std::nullopt);
        if (put < 0) {
            if (errno == EAGAIN && done == 0 && !(out->status_flags & O_NONBLOCK) && out->host_nonblocking)
                return kRetryLater;  // nothing consumed: the call can simply run again
            return done ? int64_t(done) : finish_write(ctx, neg_errno());
        }
        if (pos) *pos += put;
        done += size_t(put);
        if (put < got) {  // the output took less: give the rest of the input back
            if (!pos) ::lseek(in->host_fd, put - got, SEEK_CUR);
            break;
        }
    }
    if (pos && !user(ctx).write_value<int64_t>(ctx.arg(2), *pos)) return -EFAULT;
    return int64_t(done);
}
int64_t sys_pipe2(SyscallContext& ctx) { return do_pipe2(ctx, ctx.arg(0), ctx.iarg(1)); }

// copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): both ends are
// host files, so the host kernel does the copy (and its checks: regular files,
// overlap, O_APPEND); the guest's offsets travel through local copies.
int64_t sys_copy_file_range(SyscallContext& ctx) {
    OpenFile* in = file_for_io(ctx, ctx.iarg(0));
    OpenFile* out = file_for_io(ctx, ctx.iarg(2));
    if (ctx.iarg(5) != 0) return -EINVAL;
    if (!in || !out || !fmode_read(*in) || !fmode_write(*out)) return -EBADF;
    std::optional<int64_t> off_in, off_out;
    for (auto [va, off] : {std::pair{ctx.arg(1), &off_in}, std::pair{ctx.arg(3), &off_out}}) {
        if (!va) continue;
        *off = user(ctx).read_value<int64_t>(va);
        if (!*off) return -EFAULT;
    }
    loff_t a = off_in.value_or(0), b = off_out.value_or(0);
    ssize_t n = ::copy_file_range(in->host_fd, off_in ? &a : nullptr, out->host_fd, off_out ? &b : nullptr,
                                  size_t(std::min<uint64_t>(ctx.arg(4), kMaxRwCount)), 0);
    if (n < 0) return neg_errno();
    if (off_in && !user(ctx).write_value<int64_t>(ctx.arg(1), a)) return -EFAULT;
    if (off_out && !user(ctx).write_value<int64_t>(ctx.arg(3), b)) return -EFAULT;
    return n;
}

constexpr std::string_view kFcntlNote =
    "F_SETOWN*/F_SETSIG/leases/notify and FASYNC not modelled; i386 record locks -EINVAL";
constexpr std::string_view kIoctlNote =
    "only TCGETS, TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX; others -ENOTTY";

const ServiceRow kFileServices[] = {
    {"read", sys_read, Support::full, "", true},
    {"write", sys_write, Support::full, "", true},
    {"readv", sys_readv},
    {"writev", sys_writev, Support::full},
    {"pread64", sys_pread64},
    {"pwrite64", sys_pwrite64},
    {"preadv", sys_preadv},
    {"pwritev", sys_pwritev},
    {"open", sys_open, Support::full, "", true},
    {"openat", sys_openat, Support::full, "", true},
    {"creat", sys_creat, Support::full, "", true},
    {"close", sys_close, Support::full, "", true},
    {"lseek", sys_lseek, Support::full, "", true},
    {"fstat", sys_fstat},
    {"stat", sys_stat},
    {"lstat", sys_lstat},
    {"newfstatat", sys_newfstatat},
    {"statx", sys_statx, Support::full, "", true},
    {"ioctl", sys_ioctl, Support::partial, kIoctlNote, true},
    {"readlink", sys_readlink, Support::full, "", true},
    {"readlinkat", sys_readlinkat, Support::full, "", true},
    {"access", sys_access, Support::full, "", true},
    {"faccessat", sys_faccessat, Support::full, "", true},
    {"faccessat2", sys_faccessat2, Support::full, "", true},
    {"getcwd", sys_getcwd, Support::full, "", true},
    {"chdir", sys_chdir, Support::full, "", true},
    {"fchdir", sys_fchdir, Support::full, "", true},
    {"dup", sys_dup, Support::full, "", true},
    {"dup2", sys_dup2, Support::full, "", true},
    {"dup3", sys_dup3, Support::full, "", true},
    {"fcntl", sys_fcntl, Support::partial, kFcntlNote, true},
    {"fcntl64", sys_fcntl, Support::partial, kFcntlNote, true},  // i386 only; no F_*LK64
    {"mkdir", sys_mkdir, Support::full, "", true},
    {"mkdirat", sys_mkdirat, Support::full, "", true},
    {"rmdir", sys_rmdir, Support::full, "", true},
    {"unlink", sys_unlink, Support::full, "", true},
    {"unlinkat", sys_unlinkat, Support::full, "", true},
    {"rename", sys_rename, Support::full, "", true},
    {"renameat", sys_renameat, Support::full, "", true},
    {"renameat2", sys_renameat2, Support::full, "", true},
    {"link", sys_link, Support::full, "", true},
    {"linkat", sys_linkat, Support::partial, "AT_EMPTY_PATH on an unlinked file (O_TMPFILE): -ENOENT", true},
    {"symlink", sys_symlink, Support::full, "", true},
    {"symlinkat", sys_symlinkat, Support::full, "", true},
    {"chmod", sys_chmod, Support::full, "", true},
    {"chown", sys_chown, Support::full, "", true},
    {"lchown", sys_lchown, Support::full, "", true},
    {"fchown", sys_fchown, Support::full, "", true},
    {"fchownat", sys_fchownat, Support::full, "", true},
    {"utimensat", sys_utimensat, Support::full},
    {"fchmod", sys_fchmod, Support::full, "", true},
    {"fchmodat", sys_fchmodat, Support::full, "", true},
    {"truncate", sys_truncate, Support::full, "", true},
    {"ftruncate", sys_ftruncate, Support::full, "", true},
    {"umask", sys_umask, Support::full, "", true},
    {"fsync", sys_fsync, Support::full, "", true},
    {"fdatasync", sys_fdatasync, Support::full, "", true},
    {"getdents64", sys_getdents64, Support::full, "", true},
    {"pipe", sys_pipe, Support::full, "", true},
    {"pipe2", sys_pipe2, Support::full, "", true},
    {"sendfile", sys_sendfile, Support::partial, "a copy through sysentry, not in the host kernel"},
    {"copy_file_range", sys_copy_file_range, Support::full, "", true},
};

}  // namespace

std::span<const ServiceRow> file_services() { return kFileServices; }

}  // namespace sysentry
