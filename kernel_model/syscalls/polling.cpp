// I/O multiplexing: poll, ppoll, select, pselect6 (fs/select.c). Readiness is
// asked of the host with a zero-timeout poll on the guest fds' host fds; a call
// that has nothing ready blocks in the scheduler (kRetryLater) until something
// is, its timeout passes, or a signal interrupts it. Timeouts run on
// CLOCK_MONOTONIC, which is virtual time under --deterministic.
#include <fcntl.h>
#include <poll.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cerrno>
#include <expected>
#include <optional>
#include <type_traits>
#include <vector>

#include "sysentry/kernel.hpp"
#include "sysentry/process.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

namespace {

constexpr int64_t kNsPerSec = 1'000'000'000, kNsPerMs = 1'000'000, kNsPerUs = 1'000;
constexpr uint64_t kSigsetSize = 8;  // the kernel's sigset_t
constexpr uint64_t kUnblockable = (uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1));
constexpr uint64_t kMaxPollFds = FdTable::kMaxFds;  // RLIMIT_NOFILE: nfds beyond it is EINVAL
constexpr int kBitsPerLong = 64;
// select's readiness classes (POLLIN_SET, POLLOUT_SET, POLLEX_SET in fs/select.c).
constexpr short kPollInSet = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
constexpr short kPollOutSet = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
constexpr short kPollExSet = POLLPRI;

struct GuestPollFd {  // struct pollfd
    int32_t fd;
    int16_t events, revents;
};
struct Timespec {  // struct __kernel_timespec
    int64_t sec, nsec;
};
struct Timeval {  // struct __kernel_old_timeval
    int64_t sec, usec;
};
struct SigsetArg {  // pselect6's sixth argument: { const sigset_t *ss; size_t ss_len; }
    uint64_t ss, len;
};

int64_t now(SyscallContext& ctx) { return ctx.kernel.now_ns(CLOCK_MONOTONIC); }
bool first_call(const SyscallContext& ctx) { return ctx.process.state != TaskState::blocked; }

// The wait itself, shared by all four calls: a deadline (0: none) kept in the
// task across retries, and whether a host fd could wake it (a terminal, a
// host pipe): then the scheduler idles for it instead of calling a deadlock.
struct Timeout {
    bool immediate = false;    // a zero timeout: never block
    std::optional<int64_t> ns; // relative; nullopt: wait forever
};

void start_wait(SyscallContext& ctx, const Timeout& t) {
    ctx.process.sleep_deadline_ns = t.ns && *t.ns > 0 ? now(ctx) + *t.ns : 0;
}
bool expired(SyscallContext& ctx) {
    return ctx.process.sleep_deadline_ns && now(ctx) >= ctx.process.sleep_deadline_ns;
}
// The call is over: forget the wait; give back a ppoll/pselect6 temporary mask.
void end_wait(SyscallContext& ctx) {
    Process& p = ctx.process;
    p.waits_on_host = false;
    if (p.saved_sigmask && p.mask_set_by_wait) p.blocked = *std::exchange(p.saved_sigmask, std::nullopt);
    p.mask_set_by_wait = false;
}
int64_t finish(SyscallContext& ctx, int64_t ret) {
    end_wait(ctx);
    ctx.process.sleep_deadline_ns = 0;
    return ret;
}

// The time left for poll_select_finish's write-back: 0 once past the deadline.
int64_t remaining_ns(SyscallContext& ctx) {
    if (!ctx.process.sleep_deadline_ns) return 0;
    return std::max<int64_t>(0, ctx.process.sleep_deadline_ns - now(ctx));
}

// ppoll/pselect6's mask for the length of the wait (set_user_sigmask); a
// handler's frame restores the old one if a signal ends the wait.
int64_t apply_wait_mask(SyscallContext& ctx, uint64_t mask_va, uint64_t size) {
    if (!mask_va || !first_call(ctx)) return 0;
    if (size != kSigsetSize) return -EINVAL;
    auto mask = ctx.process.mm.read_value<uint64_t>(mask_va);
    if (!mask) return -EFAULT;
    ctx.process.saved_sigmask = ctx.process.blocked;
    ctx.process.mask_set_by_wait = true;
    ctx.process.blocked = *mask & ~kUnblockable;
    return 0;
}

// A host fd behind a guest fd, or nullptr: fdget() skips O_PATH descriptors.
const OpenFile* pollable(SyscallContext& ctx, int fd) {
    const OpenFile* f = fd >= 0 ? ctx.process.fds.get(fd) : nullptr;
    return (f && !(f->status_flags & O_PATH)) ? f : nullptr;
}

// One readiness pass: each host fd's revents, as vfs_poll answers (POLLERR
// and POLLHUP always reported). Notes whether any wait depends on the host.
void host_poll(SyscallContext& ctx, std::vector<pollfd>& host, const std::vector<const OpenFile*>& files) {
    if (!host.empty()) ::poll(host.data(), host.size(), 0);
    bool external = false;
    for (const OpenFile* f : files) external |= f && !f->host_nonblocking;
    ctx.process.waits_on_host = external;
}

// ---- poll / ppoll ---------------------------------------------------------------

std::optional<std::vector<GuestPollFd>> read_pollfds(SyscallContext& ctx, uint64_t va, uint64_t n) {
    std::vector<GuestPollFd> fds(n);
    if (n && !ctx.process.mm.read(va, fds.data(), n * sizeof(GuestPollFd))) return std::nullopt;
    return fds;
}

// do_pollfd for every entry: the number with a nonzero revents.
int poll_once(SyscallContext& ctx, std::vector<GuestPollFd>& fds) {
    std::vector<pollfd> host;
    std::vector<const OpenFile*> files;
    std::vector<size_t> index;
    for (size_t i = 0; i < fds.size(); ++i) {
        fds[i].revents = 0;
        if (fds[i].fd < 0) continue;
        const OpenFile* f = pollable(ctx, fds[i].fd);
        if (!f) {
            fds[i].revents = POLLNVAL;
            continue;
        }
        host.push_back({f->host_fd, short(fds[i].events | POLLERR | POLLHUP), 0});
        files.push_back(f);
        index.push_back(i);
    }
    host_poll(ctx, host, files);
    for (size_t k = 0; k < host.size(); ++k)
        fds[index[k]].revents = short(host[k].revents & (fds[index[k]].events | POLLERR | POLLHUP | POLLNVAL));
    return int(std::ranges::count_if(fds, [](const GuestPollFd& p) { return p.revents != 0; }));
}

// Only revents goes back, as do_sys_poll's __put_user.
bool write_revents(SyscallContext& ctx, uint64_t va, const std::vector<GuestPollFd>& fds) {
    for (size_t i = 0; i < fds.size(); ++i)
        if (!ctx.process.mm.write_value(va + i * sizeof(GuestPollFd) + offsetof(GuestPollFd, revents), fds[i].revents))
            return false;
    return true;
}

int64_t do_poll(SyscallContext& ctx, uint64_t ufds, uint64_t nfds, const Timeout& t) {
    if (nfds > kMaxPollFds) return finish(ctx, -EINVAL);
    auto fds = read_pollfds(ctx, ufds, nfds);
    if (!fds) return finish(ctx, -EFAULT);
    if (first_call(ctx)) start_wait(ctx, t);
    int ready = poll_once(ctx, *fds);
    if (ready == 0 && !t.immediate && !expired(ctx)) return kRetryLater;
    if (!write_revents(ctx, ufds, *fds)) return finish(ctx, -EFAULT);
    return ready;
}

int64_t sys_poll(SyscallContext& ctx) {
    int ms = ctx.iarg(2);
    Timeout t{ms == 0, ms < 0 ? std::nullopt : std::optional<int64_t>(int64_t(ms) * kNsPerMs)};
    int64_t r = do_poll(ctx, ctx.arg(0), uint32_t(ctx.arg(1)), t);
    return r == kRetryLater ? r : finish(ctx, r);
}

// poll_select_set_timeout's checks on a user timespec; nullopt-in-expected: EFAULT/EINVAL.
std::expected<Timeout, int> timeout_from(std::optional<Timespec> ts) {
    if (!ts) return std::unexpected(-EFAULT);
    if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= kNsPerSec) return std::unexpected(-EINVAL);
    int64_t ns = ts->sec > INT64_MAX / kNsPerSec - 1 ? INT64_MAX / 2 : ts->sec * kNsPerSec + ts->nsec;
    return Timeout{ns == 0, ns};
}

// poll_select_finish: the time left goes back into a nonzero timeout.
template <class T> void write_back_left(SyscallContext& ctx, uint64_t va, const Timeout& t, int64_t ret) {
    if (!va || t.immediate || !t.ns || ret == kRetryLater) return;
    int64_t left = remaining_ns(ctx);
    T out{left / kNsPerSec, left % kNsPerSec};
    if constexpr (std::is_same_v<T, Timeval>) out.usec /= kNsPerUs;
    ctx.process.mm.write_value(va, out);  // a failed copy keeps the result (as Linux: -EFAULT is not returned)
}

std::expected<Timeout, int> read_timespec_timeout(SyscallContext& ctx, uint64_t va) {
    if (!va) return Timeout{};
    return timeout_from(ctx.process.mm.read_value<Timespec>(va));
}

int64_t sys_ppoll(SyscallContext& ctx) {
    auto t = read_timespec_timeout(ctx, ctx.arg(2));
    if (!t) return finish(ctx, t.error());
    if (int64_t err = apply_wait_mask(ctx, ctx.arg(3), ctx.arg(4))) return finish(ctx, err);
    int64_t r = do_poll(ctx, ctx.arg(0), uint32_t(ctx.arg(1)), *t);
    if (r == kRetryLater) return r;
    write_back_left<Timespec>(ctx, ctx.arg(2), *t, r);
    return finish(ctx, r);
}

// ---- select / pselect6 ---------------------------------------------------------

using FdBits = std::vector<uint64_t>;

struct FdSets {
    std::array<uint64_t, 3> va;  // in, out, except; 0 = NULL
    std::array<FdBits, 3> bits;
};

bool bit(const FdBits& b, int fd) { return (b[fd / kBitsPerLong] >> (fd % kBitsPerLong)) & 1; }
void set_bit(FdBits& b, int fd) { b[fd / kBitsPerLong] |= uint64_t{1} << (fd % kBitsPerLong); }

// get_fd_set: nfds bits, in whole longs; a NULL set reads as empty.
std::optional<FdSets> read_fd_sets(SyscallContext& ctx, int nfds, const std::array<uint64_t, 3>& va) {
    FdSets s{va, {}};
    size_t longs = size_t(nfds + kBitsPerLong - 1) / kBitsPerLong;
    for (int k = 0; k < 3; ++k) {
        s.bits[k].assign(longs, 0);
        if (va[k] && longs && !ctx.process.mm.read(va[k], s.bits[k].data(), longs * 8)) return std::nullopt;
    }
    return s;
}

// do_select's pass: -EBADF for a set bit naming no open file, else the number of bits set in `out`.
int64_t select_once(SyscallContext& ctx, int nfds, const FdSets& in, std::array<FdBits, 3>& out) {
    std::vector<pollfd> host;
    std::vector<const OpenFile*> files;
    std::vector<int> fds;
    for (int fd = 0; fd < nfds; ++fd) {
        if (!bit(in.bits[0], fd) && !bit(in.bits[1], fd) && !bit(in.bits[2], fd)) continue;
        const OpenFile* f = pollable(ctx, fd);
        if (!f) return -EBADF;
        host.push_back({f->host_fd, short(kPollInSet | kPollOutSet | kPollExSet), 0});
        files.push_back(f);
        fds.push_back(fd);
    }
    host_poll(ctx, host, files);
    for (auto& o : out) o.assign(in.bits[0].size(), 0);
    int64_t count = 0;
    constexpr short kClasses[3] = {kPollInSet, kPollOutSet, kPollExSet};
    for (size_t k = 0; k < host.size(); ++k) {
        for (int c = 0; c < 3; ++c) {
            if (!bit(in.bits[c], fds[k]) || !(host[k].revents & kClasses[c])) continue;
            set_bit(out[c], fds[k]);
            ++count;
        }
    }
    return count;
}

bool write_fd_sets(SyscallContext& ctx, const FdSets& in, const std::array<FdBits, 3>& out) {
    for (int k = 0; k < 3; ++k)
        if (in.va[k] && !out[k].empty() && !ctx.process.mm.write(in.va[k], out[k].data(), out[k].size() * 8))
            return false;
    return true;
}

int64_t do_select(SyscallContext& ctx, const Timeout& t) {
    int nfds = ctx.iarg(0);
    if (nfds < 0) return -EINVAL;
    nfds = std::min<int>(nfds, FdTable::kMaxFds);  // core_sys_select: capped at the fd table's size
    auto sets = read_fd_sets(ctx, nfds, {ctx.arg(1), ctx.arg(2), ctx.arg(3)});
    if (!sets) return -EFAULT;
    if (first_call(ctx)) start_wait(ctx, t);
    std::array<FdBits, 3> out;
    int64_t ready = select_once(ctx, nfds, *sets, out);
    if (ready < 0) return ready;
    if (ready == 0 && !t.immediate && !expired(ctx)) return kRetryLater;
    return write_fd_sets(ctx, *sets, out) ? ready : -EFAULT;
}

int64_t sys_select(SyscallContext& ctx) {
    Timeout t;
    if (uint64_t va = ctx.arg(4)) {
        auto tv = ctx.process.mm.read_value<Timeval>(va);
        if (!tv) return finish(ctx, -EFAULT);
        if (tv->usec < 0 || tv->usec >= kNsPerSec / kNsPerUs) return finish(ctx, -EINVAL);
        auto checked = timeout_from(Timespec{tv->sec, tv->usec * kNsPerUs});
        if (!checked) return finish(ctx, checked.error());
        t = *checked;
    }
    int64_t r = do_select(ctx, t);
    if (r == kRetryLater) return r;
    write_back_left<Timeval>(ctx, ctx.arg(4), t, r);
    return finish(ctx, r);
}

int64_t sys_pselect6(SyscallContext& ctx) {
    auto t = read_timespec_timeout(ctx, ctx.arg(4));
    if (!t) return finish(ctx, t.error());
    if (uint64_t va = ctx.arg(5)) {
        auto sig = ctx.process.mm.read_value<SigsetArg>(va);
        if (!sig) return finish(ctx, -EFAULT);
        if (int64_t err = apply_wait_mask(ctx, sig->ss, sig->len)) return finish(ctx, err);
    }
    int64_t r = do_select(ctx, *t);
    if (r == kRetryLater) return r;
    write_back_left<Timespec>(ctx, ctx.arg(4), *t, r);
    return finish(ctx, r);
}

const ServiceRow kPollingServices[] = {
    {"poll", sys_poll, Support::full, "", true},
    {"ppoll", sys_ppoll, Support::partial, "the time left is not written back when a signal interrupts"},
    {"select", sys_select, Support::partial, "the time left is not written back when a signal interrupts"},
    {"pselect6", sys_pselect6, Support::partial, "the time left is not written back when a signal interrupts"},
};

}  // namespace

std::span<const ServiceRow> polling_services() { return kPollingServices; }

}  // namespace sysentry
