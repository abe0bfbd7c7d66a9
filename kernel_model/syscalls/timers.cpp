// Interval timers (kernel/time/itimer.c): alarm, setitimer, getitimer. Only
// ITIMER_REAL runs: the process's timer on CLOCK_MONOTONIC (virtual time under
// --deterministic), fired by the kernel's run loop and scheduler as SIGALRM.
// ITIMER_VIRTUAL and ITIMER_PROF count CPU time, which the model does not keep.
#include <algorithm>
#include <cerrno>
#include <ctime>
#include <optional>

#include "sysentry/kernel.hpp"
#include "sysentry/process.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

namespace {

constexpr int kItimerReal = 0, kItimerVirtual = 1, kItimerProf = 2;
constexpr int64_t kNsPerSec = 1'000'000'000, kNsPerUs = 1'000, kUsPerSec = 1'000'000;

struct Timeval {  // struct __kernel_old_timeval
    int64_t sec, usec;
};
struct Itimerval {  // struct __kernel_old_itimerval
    Timeval interval, value;
};

int64_t to_ns(const Timeval& tv) { return tv.sec * kNsPerSec + tv.usec * kNsPerUs; }
Timeval to_timeval(int64_t ns) { return {ns / kNsPerSec, (ns % kNsPerSec) / kNsPerUs}; }
bool valid(const Timeval& tv) { return tv.sec >= 0 && tv.usec >= 0 && tv.usec < kUsPerSec; }

// The timer belongs to the thread group: its leader keeps it.
Process& owner(SyscallContext& ctx) {
    Process* leader = ctx.kernel.find(ctx.process.tgid);
    return leader ? *leader : ctx.process;
}

// itimer_get_remtime: an armed timer never reads as 0 (1 µs at least), so a
// caller can tell it from a disarmed one.
Itimerval current(SyscallContext& ctx) {
    Process& p = owner(ctx);
    if (!p.itimer_real_ns) return {to_timeval(p.itimer_real_interval_ns), {0, 0}};
    int64_t left = std::max(p.itimer_real_ns - ctx.kernel.now_ns(CLOCK_MONOTONIC), kNsPerUs);
    return {to_timeval(p.itimer_real_interval_ns), to_timeval(left)};
}

void arm(SyscallContext& ctx, const Itimerval& v) {
    Process& p = owner(ctx);
    int64_t value = to_ns(v.value);
    p.itimer_real_ns = value ? ctx.kernel.now_ns(CLOCK_MONOTONIC) + value : 0;
    p.itimer_real_interval_ns = value ? to_ns(v.interval) : 0;
}

int64_t check_which(SyscallContext& ctx, int which) {
    if (which == kItimerVirtual || which == kItimerProf) {
        ctx.kernel.warn("ITIMER_VIRTUAL and ITIMER_PROF are not modelled: they never fire");
        return 0;
    }
    return which == kItimerReal ? 0 : -EINVAL;
}

int64_t sys_getitimer(SyscallContext& ctx) {
    int which = ctx.iarg(0);
    if (int64_t err = check_which(ctx, which)) return err;
    Itimerval v = which == kItimerReal ? current(ctx) : Itimerval{};
    return ctx.process.mm.write_value(ctx.arg(1), v) ? 0 : -EFAULT;
}

// setitimer(which, new, old): a NULL new value disarms (a misfeature Linux keeps).
int64_t sys_setitimer(SyscallContext& ctx) {
    int which = ctx.iarg(0);
    Itimerval v{};
    if (ctx.arg(1)) {
        auto in = ctx.process.mm.read_value<Itimerval>(ctx.arg(1));
        if (!in) return -EFAULT;
        v = *in;
    }
    if (int64_t err = check_which(ctx, which)) return err;
    if (!valid(v.value) || !valid(v.interval)) return -EINVAL;
    Itimerval old = which == kItimerReal ? current(ctx) : Itimerval{};
    if (which == kItimerReal) arm(ctx, v);
    if (ctx.arg(2) && !ctx.process.mm.write_value(ctx.arg(2), old)) return -EFAULT;
    return 0;
}

// alarm(seconds): the seconds left on the old timer, rounded so that a pending
// alarm never reads as 0 (alarm_setitimer).
int64_t sys_alarm(SyscallContext& ctx) {
    Itimerval old = current(ctx);
    arm(ctx, Itimerval{{0, 0}, {int64_t(uint32_t(ctx.arg(0))), 0}});
    int64_t sec = old.value.sec;
    if ((sec == 0 && old.value.usec) || old.value.usec >= kUsPerSec / 2) ++sec;
    return sec;
}

const ServiceRow kTimerServices[] = {
    {"alarm", sys_alarm, Support::full, "", true},
    {"getitimer", sys_getitimer, Support::partial, "ITIMER_REAL only; the CPU-time timers read as disarmed"},
    {"setitimer", sys_setitimer, Support::partial, "ITIMER_REAL only; the CPU-time timers never fire"},
};

}  // namespace

std::span<const ServiceRow> timer_services() { return kTimerServices; }

}  // namespace sysentry
