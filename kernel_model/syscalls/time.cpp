// Time services. Every reading comes from Kernel::now_ns(), which is the host
// clock or, in deterministic mode, a virtual one; sleeps block the sleeper, and
// in deterministic mode the virtual clock jumps to the deadline when all wait.
#include <sys/times.h>

#include <cerrno>
#include <ctime>
#include <optional>

#include "sysentry/kernel.hpp"
#include "sysentry/process.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;
constexpr int64_t kNsPerUsec = 1'000;
constexpr int kHz = 250;                               // CONFIG_HZ of Debian's kernels
constexpr int kUserHz = 100;                           // USER_HZ: the unit of clock_t
constexpr int64_t kTickNs = (kNsPerSec + kHz / 2) / kHz;  // TICK_NSEC = 4 ms
constexpr int64_t kClockTNs = kNsPerSec / kUserHz;    // 10 ms per clock_t tick
// jiffies start 5 minutes before wrapping 32 bits (INITIAL_JIFFIES).
constexpr uint64_t kInitialJiffies = uint64_t(uint32_t(-300 * kHz));
constexpr int kTimerAbstime = 1;                       // TIMER_ABSTIME
constexpr int kClockTai = 11;                          // CLOCK_TAI

// CPU-time clocks made by MAKE_PROCESS_CPUCLOCK / MAKE_THREAD_CPUCLOCK: the
// pid in the upper bits (inverted), the kind in the low three.
constexpr int kCpuClockPerThread = 4;
constexpr int kCpuClockKindMask = 3;                   // PROF, VIRT, SCHED; 3 is invalid

struct KernelTimespec {  // struct __kernel_timespec
    int64_t sec, nsec;
};
struct KernelTimeval {   // struct __kernel_old_timeval on x86-64
    int64_t sec, usec;
};
struct Timezone {
    int32_t minuteswest, dsttime;
};
struct Tms {             // struct tms with a 64-bit clock_t
    int64_t utime, stime, cutime, cstime;
};

KernelTimespec to_timespec(int64_t ns) { return {ns / kNsPerSec, ns % kNsPerSec}; }

enum class ClockKind { hres, coarse, raw, cpu_process, cpu_thread };

struct Clock {
    int host_id;  // what to ask now_ns() (and the host) for
    ClockKind kind;
};

// clockid_to_kclock(): the clocks this machine has, or nullopt (-EINVAL).
std::optional<Clock> lookup_clock(const Process& p, int id) {
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_BOOTTIME: case kClockTai:
        return Clock{id, ClockKind::hres};
    case CLOCK_MONOTONIC_RAW: return Clock{id, ClockKind::raw};
    case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: return Clock{id, ClockKind::coarse};
    case CLOCK_PROCESS_CPUTIME_ID: return Clock{id, ClockKind::cpu_process};
    case CLOCK_THREAD_CPUTIME_ID: return Clock{id, ClockKind::cpu_thread};
    }
    if (id >= 0 || (id & kCpuClockKindMask) == kCpuClockKindMask) return std::nullopt;
    int pid = ~(id >> 3);
    if (pid != 0 && pid != p.pid) return std::nullopt;  // no other task to measure
    if (id & kCpuClockPerThread) return Clock{CLOCK_THREAD_CPUTIME_ID, ClockKind::cpu_thread};
    return Clock{CLOCK_PROCESS_CPUTIME_ID, ClockKind::cpu_process};
}

// get_timespec64(): compat callers' tv_nsec is 32 bits with padding above.
std::optional<KernelTimespec> read_timespec(SyscallContext& ctx, uint64_t va) {
    auto ts = ctx.process.mm.read_value<KernelTimespec>(va);
    if (ts && ctx.abi != SyscallAbi::x86_64) ts->nsec &= 0xffffffff;
    return ts;
}

bool timespec_valid(const KernelTimespec& ts) { return ts.sec >= 0 && uint64_t(ts.nsec) < uint64_t(kNsPerSec); }

int64_t sys_clock_gettime(SyscallContext& ctx) {
    auto clock = lookup_clock(ctx.process, ctx.iarg(0));
    if (!clock) return -EINVAL;
    KernelTimespec ts = to_timespec(ctx.kernel.now_ns(clock->host_id));
    return ctx.process.mm.write_value(ctx.arg(1), ts) ? 0 : -EFAULT;
}

// hrtimer resolution for high-resolution clocks, a tick for coarse ones;
// the host's answer when not deterministic, so native runs agree.
KernelTimespec resolution(const SyscallContext& ctx, const Clock& clock, int id) {
    if (!ctx.kernel.config().deterministic && id >= 0) {
        timespec host{};
        if (::clock_getres(id, &host) == 0) return {host.tv_sec, host.tv_nsec};
    }
    bool sched_cpu_clock = id >= 0 || (id & kCpuClockKindMask) == 2;  // CPUCLOCK_SCHED
    if (clock.kind == ClockKind::coarse) return {0, kTickNs};
    bool cpu = clock.kind == ClockKind::cpu_process || clock.kind == ClockKind::cpu_thread;
    if (cpu && !sched_cpu_clock) return {0, (kNsPerSec + kHz - 1) / kHz};
    return {0, 1};
}

int64_t sys_clock_getres(SyscallContext& ctx) {
    int id = ctx.iarg(0);
    auto clock = lookup_clock(ctx.process, id);
    if (!clock) return -EINVAL;
    if (ctx.arg(1) == 0) return 0;
    return ctx.process.mm.write_value(ctx.arg(1), resolution(ctx, *clock, id)) ? 0 : -EFAULT;
}

int64_t sys_gettimeofday(SyscallContext& ctx) {
    if (ctx.arg(0)) {
        int64_t ns = ctx.kernel.now_ns(CLOCK_REALTIME);
        KernelTimeval tv{ns / kNsPerSec, (ns % kNsPerSec) / kNsPerUsec};
        if (!ctx.process.mm.write_value(ctx.arg(0), tv)) return -EFAULT;
    }
    // sys_tz: nobody set it, so UTC without DST.
    if (ctx.arg(1) && !ctx.process.mm.write_value(ctx.arg(1), Timezone{})) return -EFAULT;
    return 0;
}

int64_t sys_time(SyscallContext& ctx) {
    int64_t seconds = ctx.kernel.now_ns(CLOCK_REALTIME) / kNsPerSec;
    if (ctx.arg(0) && !ctx.process.mm.write_value(ctx.arg(0), seconds)) return -EFAULT;
    return seconds;
}

// A sleep blocks the sleeper, not the machine: the scheduler runs the others and
// asks again until the deadline on `host_clock` has passed. Deterministic runs
// move virtual time forward instead of waiting. (`rem` is never written: an
// interrupting signal ends the sleep with EINTR before it could be.)
int64_t sleep_until(SyscallContext& ctx, int host_clock, bool absolute, KernelTimespec req) {
    Process& p = ctx.process;
    const int64_t ns = req.sec * 1000000000 + req.nsec;
    if (ctx.kernel.config().deterministic) {
        // Virtual time: the sleeper blocks like any other; once every task
        // waits, the scheduler moves the clock to the first deadline.
        const int64_t mono = ctx.kernel.now_ns(CLOCK_MONOTONIC);
        if (p.state != TaskState::blocked)
            p.sleep_deadline_ns = mono + (absolute ? ns - ctx.kernel.now_ns(host_clock) : ns);
        if (mono < p.sleep_deadline_ns) return kRetryLater;
        p.sleep_deadline_ns = 0;
        return 0;
    }
    const int64_t now = ctx.kernel.now_ns(host_clock);
    if (p.state != TaskState::blocked) p.sleep_deadline_ns = absolute ? ns : now + ns;
    if (now < p.sleep_deadline_ns) return kRetryLater;
    p.sleep_deadline_ns = 0;
    return 0;
}

int64_t sys_nanosleep(SyscallContext& ctx) {
    auto req = read_timespec(ctx, ctx.arg(0));
    if (!req) return -EFAULT;
    if (!timespec_valid(*req)) return -EINVAL;
    return sleep_until(ctx, CLOCK_MONOTONIC, false, *req);
}

int64_t sys_clock_nanosleep(SyscallContext& ctx) {
    int id = ctx.iarg(0), flags = ctx.iarg(1);
    auto clock = lookup_clock(ctx.process, id);
    if (!clock) return -EINVAL;
    // These k_clocks have no nsleep (CLOCK_THREAD_CPUTIME_ID, unlike a
    // MAKE_THREAD_CPUCLOCK id, is one of them).
    bool no_nsleep = clock->kind == ClockKind::raw || clock->kind == ClockKind::coarse ||
                     id == CLOCK_THREAD_CPUTIME_ID;
    if (no_nsleep) return -EOPNOTSUPP;
    auto req = read_timespec(ctx, ctx.arg(2));
    if (!req) return -EFAULT;
    if (!timespec_valid(*req)) return -EINVAL;
    if (clock->kind == ClockKind::cpu_thread) return -EINVAL;  // posix_cpu_nsleep on one's own thread
    if (clock->kind == ClockKind::cpu_process) {
        // A lone thread's own CPU clock never advances while it sleeps: Linux
        // would block forever, which helps no one.
        ctx.kernel.warn("clock_nanosleep on a process CPU clock is not modelled: returning -EINVAL");
        return -EINVAL;
    }
    return sleep_until(ctx, clock->host_id, flags & kTimerAbstime, *req);
    return 0;
}

int64_t sys_times(SyscallContext& ctx) {
    if (ctx.arg(0)) {
        Tms tms{};
        tms.utime = ctx.kernel.now_ns(CLOCK_PROCESS_CPUTIME_ID) / kClockTNs;
        if (!ctx.process.mm.write_value(ctx.arg(0), tms)) return -EFAULT;
    }
    // jiffies_64_to_clock_t(get_jiffies_64()): clock ticks since boot, offset
    // by INITIAL_JIFFIES as Linux's are.
    uint64_t jiffies = kInitialJiffies + uint64_t(ctx.kernel.now_ns(CLOCK_MONOTONIC) / kTickNs);
    return int64_t(jiffies * uint64_t(kTickNs) / uint64_t(kClockTNs));
}

constexpr std::string_view kCpuClockNote =
    "CPU clocks of other processes are -EINVAL; alarm clocks unsupported";

const ServiceRow kTimeServices[] = {
    {"clock_gettime", sys_clock_gettime, Support::partial, kCpuClockNote},
    {"clock_getres", sys_clock_getres, Support::partial, kCpuClockNote},
    {"gettimeofday", sys_gettimeofday},
    {"time", sys_time},
    {"nanosleep", sys_nanosleep, Support::partial, "never interrupted, so rem is never written"},
    {"clock_nanosleep", sys_clock_nanosleep, Support::partial,
     "never interrupted; process CPU clocks -EINVAL; alarm clocks unsupported"},
    {"times", sys_times, Support::partial, "stime, cutime and cstime are 0"},
    // i386's 64-bit time variants take the x86-64 struct __kernel_timespec.
    {"clock_gettime64", sys_clock_gettime, Support::partial, kCpuClockNote, true},
    {"clock_getres_time64", sys_clock_getres, Support::partial, kCpuClockNote, true},
    {"clock_nanosleep_time64", sys_clock_nanosleep, Support::partial,
     "never interrupted; process CPU clocks -EINVAL; alarm clocks unsupported", true},
};

}  // namespace

std::span<const ServiceRow> time_services() { return kTimeServices; }

}  // namespace sysentry
