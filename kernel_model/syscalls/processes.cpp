// Process lifecycle services: fork and its relatives, wait4, execve, kill.
#include <fcntl.h>
#include <linux/sched.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fmt/format.h>

#include "sysentry/initial_stack.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/signal_delivery.hpp"

namespace sysentry {

namespace {

constexpr uint64_t kCloneThreadFlags = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
constexpr size_t kMaxArgs = 1 << 16;
constexpr size_t kMaxExecutable = 512u << 20;

int64_t sys_fork(SyscallContext& c) { return c.kernel.fork(c.process, c.regs, 0, 0, 0); }

// Both clone and clone3 come here. A thread shares the caller's memory; any
// other clone is a fork (CLONE_VM without CLONE_THREAD, as posix_spawn's
// CLONE_VFORK child, gets a copy: it only runs until it execs).
int64_t do_clone(SyscallContext& c, const Kernel::ThreadArgs& a) {
    if (a.flags & CLONE_THREAD) {
        if ((a.flags & kCloneThreadFlags) != kCloneThreadFlags) return -EINVAL;  // threads share VM and handlers
        return c.kernel.spawn_thread(c.process, c.regs, a);
    }
    return c.kernel.fork(c.process, c.regs, a.flags, a.parent_tid, a.child_tid, a.stack);
}

// clone(flags, newsp, parent_tid, child_tid, tls)
int64_t sys_clone(SyscallContext& c) {
    return do_clone(c, {c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4)});
}

// clone3(struct clone_args *, size)
int64_t sys_clone3(SyscallContext& c) {
    struct CloneArgs {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    };
    constexpr uint64_t kCloneArgsSizeVer0 = 64;
    if (c.arg(1) < kCloneArgsSizeVer0 || c.arg(1) > 4096) return -EINVAL;
    auto a = c.mm().read_value<CloneArgs>(c.arg(0));
    if (!a) return -EFAULT;
    if (a->flags & CLONE_PIDFD) return -EINVAL;  // pidfds are not modelled
    uint64_t flags = a->flags | (a->exit_signal & 0xff);
    uint64_t stack = a->stack ? a->stack + a->stack_size : 0;
    return do_clone(c, {flags, stack, a->parent_tid, a->child_tid, a->tls});
}

// futex(uaddr, op, val, timeout or val2, uaddr2, val3): the wait/wake core.
int64_t futex_wait(SyscallContext& c, uint64_t word, uint32_t val, uint64_t timeout, bool absolute, int clock) {
    Process& p = c.process;
    if (p.state == TaskState::blocked) {  // the scheduler asking again
        bool timed_out = p.futex_deadline_ns && c.kernel.now_ns(clock) >= p.futex_deadline_ns;
        if (!p.futex_woken && !timed_out) return kRetryLater;
        p.futex_word = 0;
        p.futex_deadline_ns = 0;
        return std::exchange(p.futex_woken, false) ? 0 : -ETIMEDOUT;
    }
    auto current = c.mm().read_value<uint32_t>(word);
    if (!current) return -EFAULT;
    if (*current != val) return -EAGAIN;
    p.futex_deadline_ns = 0;
    if (timeout) {
        auto ts = c.mm().read_value<timespec>(timeout);
        if (!ts) return -EFAULT;
        if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000) return -EINVAL;
        int64_t ns = int64_t(ts->tv_sec) * 1000000000 + ts->tv_nsec;
        p.futex_deadline_ns = absolute ? ns : c.kernel.now_ns(clock) + ns;
    }
    p.futex_word = word;
    p.futex_woken = false;
    return kRetryLater;
}

int64_t sys_futex(SyscallContext& c) {
    constexpr int kPrivate = 128, kClockRealtime = 256;
    const int op = c.iarg(1), cmd = op & ~(kPrivate | kClockRealtime);
    const int clock = (op & kClockRealtime) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    const uint64_t word = c.arg(0);
    if (word & 3) return -EINVAL;
    switch (cmd) {
    case 0: return futex_wait(c, word, uint32_t(c.arg(2)), c.arg(3), false, CLOCK_MONOTONIC);  // FUTEX_WAIT
    case 9: return futex_wait(c, word, uint32_t(c.arg(2)), c.arg(3), true, clock);             // FUTEX_WAIT_BITSET
    case 1: case 10: return c.kernel.wake_futex(c.mm(), word, c.iarg(2));                   // FUTEX_WAKE(_BITSET)
    case 4: {                                                                                // FUTEX_CMP_REQUEUE
        auto current = c.mm().read_value<uint32_t>(word);
        if (!current) return -EFAULT;
        if (*current != uint32_t(c.arg(5))) return -EAGAIN;
        [[fallthrough]];
    }
    case 3: {  // FUTEX_REQUEUE: wake some, move the rest to uaddr2
        int woken = c.kernel.wake_futex(c.mm(), word, c.iarg(2));
        int moved = 0;
        for (Process* t : c.kernel.processes()) {
            if (moved >= int(c.arg(3))) break;
            if (t->futex_word == word && &t->mm == &c.mm() && !t->futex_woken) t->futex_word = c.arg(4), ++moved;
        }
        return woken + moved;
    }
    default:
        c.kernel.warn(fmt::format("futex operation {} is not implemented: returning -ENOSYS", cmd));
        return -ENOSYS;
    }
}

bool matches(const Process& child, int pid, const Process& me) {
    if (pid > 0) return child.pid == pid;
    if (pid == 0) return child.pgid == me.pgid;
    if (pid == -1) return true;
    return child.pgid == -pid;
}

// wait4(pid, wstatus, options, rusage): reap a zombie child, or wait for one.
int64_t sys_wait4(SyscallContext& c) {
    constexpr int kKnown = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
    int pid = c.iarg(0), options = c.iarg(2);
    if (options & ~kKnown) return -EINVAL;
    bool any = false;
    for (Process* child : c.kernel.children_of(c.process.pid)) {
        if (!matches(*child, pid, c.process)) continue;
        any = true;
        if (child->state != TaskState::zombie) continue;
        int status = child->exit->wait_status();
        if (c.arg(1) && !c.mm().write_value<int32_t>(c.arg(1), status)) return -EFAULT;
        if (c.arg(3) && !c.mm().write_value(c.arg(3), rusage{})) return -EFAULT;
        int reaped = child->pid;
        c.kernel.reap(reaped);
        return reaped;
    }
    if (!any) return -ECHILD;
    return (options & WNOHANG) ? 0 : kRetryLater;
}

// waitid(idtype, id, infop, options, rusage): the siginfo fields Linux's
// sys_waitid writes (the rest of the 128 bytes are left alone).
struct WaitidInfo {
    int32_t signo, errno_, code, pad;
    int32_t pid, uid, status;
};

int64_t put_waitid_info(SyscallContext& c, uint64_t va, const WaitidInfo& info) {
    return (!va || c.mm().write(va, &info, sizeof info)) ? 0 : -EFAULT;
}

// Which children an (idtype, id) pair names; nullopt: EINVAL.
std::optional<int> waitid_target(SyscallContext& c, int idtype, int id) {
    constexpr int kPAll = 0, kPPid = 1, kPPgid = 2;
    if (idtype == kPAll) return -1;                 // as wait4's -1
    if (idtype == kPPid) return id > 0 ? std::optional(id) : std::nullopt;
    if (idtype == kPPgid) {
        if (id < 0) return std::nullopt;
        return id == 0 ? -c.process.pgid : -id;     // 0: the caller's own group
    }
    return std::nullopt;
}

int64_t sys_waitid(SyscallContext& c) {
    constexpr int kPPidfd = 3;
    constexpr int kKnown = WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
    int idtype = c.iarg(0), options = c.iarg(3);
    if ((options & ~kKnown) || !(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
    if (idtype == kPPidfd) return -EBADF;  // no pidfd can exist: pidfd_open is not modelled
    auto target = waitid_target(c, idtype, c.iarg(1));
    if (!target) return -EINVAL;
    bool any = false;
    for (Process* child : c.kernel.children_of(c.process.pid)) {
        if (!matches(*child, *target, c.process)) continue;
        any = true;
        if (child->state != TaskState::zombie || !(options & WEXITED)) continue;  // stops are not modelled
        const ProcessExit& how = *child->exit;
        constexpr int kCldExited = 1, kCldKilled = 2;
        WaitidInfo info{SIGCHLD, 0, how.signal ? kCldKilled : kCldExited, 0, child->pid, 0,
                        how.signal ? how.signal : how.code & 0xff};
        if (c.arg(4) && !c.mm().write_value(c.arg(4), rusage{})) return -EFAULT;
        if (int64_t err = put_waitid_info(c, c.arg(2), info)) return err;
        if (!(options & WNOWAIT)) c.kernel.reap(child->pid);
        return 0;
    }
    if (!any) return -ECHILD;
    if (!(options & WNOHANG)) return kRetryLater;
    return put_waitid_info(c, c.arg(2), WaitidInfo{});  // nothing yet: signo and pid read as 0
}

// One argv/envp string as copy_strings() takes it: -EFAULT if unreadable,
// -E2BIG if longer than MAX_ARG_STRLEN with its NUL.
// Page by page: an argument list may hold megabytes.
std::expected<std::string, int> read_arg_string(const UserMemory& mem, uint64_t va) {
    constexpr uint64_t kPage = 4096;
    std::string s;
    char chunk[kPage];
    while (s.size() < kMaxArgStrlen) {
        size_t n = std::min<uint64_t>(kPage - va % kPage, kMaxArgStrlen - s.size());
        if (!mem.read(va, chunk, n)) return std::unexpected(-EFAULT);
        if (auto* nul = static_cast<const char*>(std::memchr(chunk, 0, n))) return s.append(chunk, size_t(nul - chunk));
        s.append(chunk, n);
        va += n;
    }
    return std::unexpected(-E2BIG);
}

std::expected<std::vector<std::string>, int> read_string_array(const UserMemory& mem, uint64_t va) {
    std::vector<std::string> out;
    if (!va) return out;
    for (size_t i = 0; i < kMaxArgs; ++i) {
        auto ptr = mem.read_value<uint64_t>(va + i * 8);
        if (!ptr) return std::unexpected(-EFAULT);
        if (!*ptr) return out;
        auto s = read_arg_string(mem, *ptr);
        if (!s) return std::unexpected(s.error());
        out.push_back(std::move(*s));
    }
    return std::unexpected(-E2BIG);
}

// The file execve names, through the sandbox; /proc/self/exe is the running image.
// Errors are -errno.
std::expected<std::vector<uint8_t>, int> read_executable(SyscallContext& c, const std::string& path) {
    if (path == "/proc/self/exe" || path == fmt::format("/proc/{}/exe", c.process.pid)) return *c.process.image;
    auto fd = c.kernel.fs().open(SandboxFs::join(c.process.cwd, path), O_RDONLY, 0);
    if (!fd) return std::unexpected(fd.error());
    std::vector<uint8_t> bytes;
    uint8_t buf[65536];
    for (ssize_t n; (n = ::read(*fd, buf, sizeof buf)) > 0;) {
        bytes.insert(bytes.end(), buf, buf + n);
        if (bytes.size() > kMaxExecutable) break;
    }
    ::close(*fd);
    return bytes;
}

int64_t sys_execve(SyscallContext& c) {
    auto path = c.mm().read_cstring(c.arg(0), 4096);
    if (!path) return -EFAULT;
    if (path->empty()) return -ENOENT;
    auto argv = read_string_array(c.mm(), c.arg(1));
    if (!argv) return argv.error();
    auto envp = read_string_array(c.mm(), c.arg(2));
    if (!envp) return envp.error();
    // Before the point of no return: too long an argument list is E2BIG for the caller.
    if (int err = check_argument_limits(*argv, *envp, *path, kStackReserve / 4)) return -err;
    auto bytes = read_executable(c, *path);
    if (!bytes) return bytes.error();
    if (bytes->size() > kMaxExecutable) return -E2BIG;
    auto image = parse_elf(*bytes);
    if (!image) {
        if (image.error() == ElfError::DynamicallyLinked)
            c.kernel.warn(fmt::format("execve {}: dynamically linked; sysentry runs static programs", *path));
        return -ENOEXEC;
    }
    Program program{std::move(*bytes), std::move(*image), *path, std::move(*argv), std::move(*envp)};
    return c.kernel.exec(c.process, c.regs, std::move(program));
}

// The signal is pending for the target, taken on its way back to ring 3 (its
// handler runs, it is ignored, or it ends the process). SIGKILL ends it now.
int64_t send_signal(SyscallContext& c, Process& target, int sig, int code = SI_USER) {
    if (sig == 0 || target.state == TaskState::zombie) return 0;
    if (sig != SIGKILL) {
        post_signal(target, sig, {code, c.process.tgid});
    } else if (&target == &c.process) {
        c.exit = SyscallContext::Exit{0, sig};
    } else {
        c.kernel.kill_process(target, sig);
    }
    return 0;
}

int64_t sys_kill(SyscallContext& c) {
    int pid = c.iarg(0), sig = c.iarg(1);
    if (sig < 0 || sig > 64) return -EINVAL;
    if (pid > 0) {
        Process* t = c.kernel.find(pid);
        return t ? send_signal(c, *t, sig) : -ESRCH;
    }
    int64_t result = -ESRCH;
    for (Process* t : c.kernel.processes()) {  // a group, or everyone but the caller
        bool in = pid == -1 ? t != &c.process : t->pgid == (pid == 0 ? c.process.pgid : -pid);
        if (in) result = send_signal(c, *t, sig);
    }
    return result;
}

int64_t sys_tkill(SyscallContext& c) {  // one thread per process: the tid is the pid
    int sig = c.iarg(1);
    if (c.iarg(0) <= 0 || sig < 0 || sig > 64) return -EINVAL;
    Process* t = c.kernel.find(c.iarg(0));
    return t ? send_signal(c, *t, sig, SI_TKILL) : -ESRCH;
}

int64_t sys_tgkill(SyscallContext& c) {
    int sig = c.iarg(2);
    if (c.iarg(0) <= 0 || c.iarg(1) <= 0 || sig < 0 || sig > 64) return -EINVAL;
    Process* t = c.kernel.find(c.iarg(1));
    if (!t || t->pid != c.iarg(0)) return -ESRCH;
    return send_signal(c, *t, sig, SI_TKILL);
}

// setpgid(pid, pgid): the caller or one of its children, into a group in its session.
int64_t sys_setpgid(SyscallContext& c) {
    int pid = c.iarg(0) ? c.iarg(0) : c.process.tgid, pgid = c.iarg(1) ? c.iarg(1) : pid;
    if (pgid < 0) return -EINVAL;
    Process* t = c.kernel.find(pid);
    if (!t || (t != &c.process && t->ppid != c.process.tgid)) return -ESRCH;
    if (t->sid != c.process.sid) return -EPERM;
    if (t->pid == t->sid) return -EPERM;  // a session leader stays where it is
    t->pgid = pgid;
    return 0;
}

// setsid: a new session and group led by the caller, unless it leads a group already.
int64_t sys_setsid(SyscallContext& c) {
    if (c.process.pgid == c.process.tgid) return -EPERM;
    c.process.sid = c.process.pgid = c.process.tgid;
    return c.process.sid;
}

int64_t sys_getgroups(SyscallContext& c) { return c.iarg(0) < 0 ? -EINVAL : 0; }  // root, in no extra groups

// getrusage: the kernel model keeps no per-process accounting; Linux's field set, zero.
int64_t sys_getrusage(SyscallContext& c) {
    int who = c.iarg(0);
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD) return -EINVAL;
    return c.mm().write_value(c.arg(1), rusage{}) ? 0 : -EFAULT;
}

const ServiceRow kRows[] = {
    {"setpgid", sys_setpgid, Support::full, "", true},
    {"setsid", sys_setsid, Support::full, "", true},
    {"getgroups", sys_getgroups, Support::full},
    {"getrusage", sys_getrusage, Support::partial, "all counters are zero"},
    {"fork", sys_fork, Support::full, "", true},
    {"vfork", sys_fork, Support::partial, "the child gets a copy, as fork: the parent is not suspended", true},
    {"clone", sys_clone, Support::partial, "threads and forks; no namespaces, pidfds or ptrace"},
    {"clone3", sys_clone3, Support::partial, "as clone; no pidfds, set_tid or cgroups"},
    {"futex", sys_futex, Support::partial, "wait, wake, requeue and their bitset forms; no PI or WAKE_OP"},
    {"wait4", sys_wait4, Support::partial, "no stopped/continued children", true},
    {"waitid", sys_waitid, Support::partial, "no stopped/continued children; no pidfds"},
    {"execve", sys_execve, Support::partial, "static ELF only; no #! scripts"},
    {"kill", sys_kill, Support::partial, "no job-control stops", true},
    {"tkill", sys_tkill, Support::partial, "no job-control stops", true},
    {"tgkill", sys_tgkill, Support::partial, "no job-control stops", true},
};

}  // namespace

std::span<const ServiceRow> lifecycle_services() { return kRows; }

}  // namespace sysentry
