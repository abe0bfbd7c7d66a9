// System information services: what machine and kernel the guest believes it
// runs on (uname, sysinfo, the CPU it is on) and random bytes. The modelled
// machine has one CPU; uname reports the host's values so that a guest's
// output can be compared with the same program run natively, unless the
// kernel is configured to be deterministic.
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string_view>
#include <set>
#include <vector>

#include "path_args.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/process.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

using namespace syscall_args;

namespace {

constexpr size_t kUtsLen = 65;  // __NEW_UTS_LEN + 1
struct NewUtsname {             // struct new_utsname: the same for i386 and x86-64
    char sysname[kUtsLen], nodename[kUtsLen], release[kUtsLen], version[kUtsLen], machine[kUtsLen],
        domainname[kUtsLen];
};
static_assert(sizeof(NewUtsname) == 390);
static_assert(sizeof(struct sysinfo) == 112, "x86-64 struct sysinfo");

constexpr unsigned kGrndNonblock = 0x1, kGrndRandom = 0x2, kGrndInsecure = 0x4;
constexpr size_t kRandomChunk = 64 * 1024;
constexpr int kNrCpuIds = 1;                 // the modelled machine's CPUs
constexpr uint64_t kCpuMaskBytes = 8;        // cpumask_size(): BITS_TO_LONGS(nr_cpu_ids) longs
constexpr uint64_t kNsPerSec = 1'000'000'000;
constexpr int64_t kNewUtsLen = 64;           // __NEW_UTS_LEN

void set_field(char (&field)[kUtsLen], std::string_view value) {
    std::memset(field, 0, kUtsLen);
    std::memcpy(field, value.data(), std::min(value.size(), kUtsLen - 1));
}

NewUtsname deterministic_utsname(const KernelConfig& config) {
    NewUtsname u{};
    set_field(u.sysname, "Linux");
    set_field(u.nodename, config.hostname);
    set_field(u.release, "6.1.0-sysentry");
    set_field(u.version, "#1 SMP PREEMPT_DYNAMIC");
    set_field(u.machine, "x86_64");
    set_field(u.domainname, "(none)");
    return u;
}

NewUtsname host_utsname() {
    struct utsname host{};
    ::uname(&host);
    NewUtsname u{};
    set_field(u.sysname, host.sysname);
    set_field(u.nodename, host.nodename);
    set_field(u.release, host.release);
    set_field(u.version, host.version);
    set_field(u.machine, host.machine);
    set_field(u.domainname, host.domainname);
    return u;
}

int64_t sys_uname(SyscallContext& ctx) {
    const KernelConfig& config = ctx.kernel.config();
    NewUtsname u = config.deterministic ? deterministic_utsname(config) : host_utsname();
    return ctx.process.mm.write_value(ctx.arg(0), u) ? 0 : -EFAULT;
}

// sethostname/setdomainname: the length is checked before the capability,
// which the guest never has.
int64_t sys_set_uts_name(SyscallContext& ctx) {
    int64_t len = ctx.iarg(1);
    if (len < 0 || len > kNewUtsLen) return -EINVAL;
    return -EPERM;
}

// getrandom(2) as Linux 5.18+: the count is clamped to MAX_RW_COUNT, bytes are
// copied until a fault, which ends the call early (-EFAULT if nothing was copied).
int64_t sys_getrandom(SyscallContext& ctx) {
    uint64_t buf = ctx.arg(0);
    size_t count = std::min<uint64_t>(ctx.arg(1), kMaxRwCount);
    unsigned flags = unsigned(ctx.arg(2));
    if (flags & ~(kGrndNonblock | kGrndRandom | kGrndInsecure)) return -EINVAL;
    if ((flags & (kGrndInsecure | kGrndRandom)) == (kGrndInsecure | kGrndRandom)) return -EINVAL;
    if (!access_ok(buf, count)) return -EFAULT;
    std::vector<uint8_t> bytes(std::min(count, kRandomChunk));
    size_t done = 0;
    while (done < count) {
        size_t n = std::min(count - done, bytes.size());
        ctx.kernel.fill_random(bytes.data(), n);
        size_t copied = copy_to_user_prefix(ctx.process.mm, buf + done, bytes.data(), n);
        done += copied;
        if (copied < n) break;
    }
    return (done == 0 && count > 0) ? -EFAULT : int64_t(done);
}

int64_t sys_sysinfo(SyscallContext& ctx) {
    struct sysinfo info{};
    int64_t boot_ns = ctx.kernel.now_ns(CLOCK_BOOTTIME);
    // Linux rounds a part-second of uptime up.
    info.uptime = long(boot_ns / kNsPerSec + (boot_ns % kNsPerSec ? 1 : 0));
    // The guest's RAM, as the smaller of the machine's frames and --mem-limit
    // (the most a process may map); used is what the address spaces map.
    const PhysicalMemory& ram = ctx.kernel.machine().ram();
    const uint64_t total = std::min<uint64_t>(ram.size(), ctx.kernel.config().memory_limit);
    std::set<const AddressSpace*> spaces;
    uint64_t used = ram.frames_in_use() * kPageSize;
    for (const Process* p : ctx.kernel.processes())
        if (p->state != TaskState::zombie && spaces.insert(p->space.get()).second) used += p->mm.mapped_bytes();
    info.totalram = total;
    info.freeram = total - std::min(total, used);
    info.procs = uint16_t(ctx.kernel.processes().size());
    info.mem_unit = 1;
    return ctx.process.mm.write_value(ctx.arg(0), info) ? 0 : -EFAULT;
}

int64_t sys_getcpu(SyscallContext& ctx) {
    const uint32_t zero = 0;  // CPU 0 on node 0; either pointer may be NULL
    if (ctx.arg(0) && !ctx.process.mm.write_value(ctx.arg(0), zero)) return -EFAULT;
    if (ctx.arg(1) && !ctx.process.mm.write_value(ctx.arg(1), zero)) return -EFAULT;
    return 0;
}

// The mask holds CPU 0 alone; Linux copies min(len, cpumask_size()) bytes
// and returns that count.
int64_t sys_sched_getaffinity(SyscallContext& ctx) {
    int pid = ctx.iarg(0);
    uint64_t len = uint32_t(ctx.arg(1));
    if (len * 8 < uint64_t(kNrCpuIds)) return -EINVAL;
    if (len % sizeof(uint64_t)) return -EINVAL;
    if (pid != 0 && pid != ctx.process.pid) return -ESRCH;
    const uint64_t mask = 1;  // bit 0: CPU 0
    uint64_t n = std::min(len, kCpuMaskBytes);
    if (!ctx.process.mm.write(ctx.arg(2), &mask, n)) return -EFAULT;
    return int64_t(n);
}

const ServiceRow kInfoServices[] = {
    {"uname", sys_uname, Support::full, "", true},
    {"sethostname", sys_set_uts_name, Support::full, "", true},
    {"setdomainname", sys_set_uts_name, Support::full, "", true},
    {"getrandom", sys_getrandom, Support::full, "", true},
    {"sysinfo", sys_sysinfo, Support::partial, "loads, shared/buffer RAM and swap are 0; RAM is min(machine, --mem-limit)"},
    {"getcpu", sys_getcpu, Support::full, "", true},
    {"sched_getaffinity", sys_sched_getaffinity},
};

}  // namespace

std::span<const ServiceRow> info_services() { return kInfoServices; }

}  // namespace sysentry
