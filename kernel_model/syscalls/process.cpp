// Process services: exit, identity, thread-area and bookkeeping calls that
// libc makes during start-up.
#include <asm/prctl.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cstring>
#include <sys/resource.h>

#include <cerrno>

#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"

namespace sysentry {

static int64_t sys_exit(SyscallContext& c) {
    c.exit = SyscallContext::Exit{c.iarg(0) & 0xff, 0};
    return 0;
}

static int64_t sys_getpid(SyscallContext& c) { return c.process.tgid; }
static int64_t sys_getppid(SyscallContext& c) { return c.process.ppid; }
static int64_t sys_gettid(SyscallContext& c) { return c.process.pid; }
static int64_t sys_getpgrp(SyscallContext& c) { return c.process.pgid; }
static int64_t sys_getsid(SyscallContext& c) { return c.process.sid; }
static int64_t sys_getuid(SyscallContext&) { return 0; }  // the guest runs as root in its own sandbox

static int64_t sys_getpgid(SyscallContext& c) {
    int pid = c.iarg(0);
    return pid == 0 || pid == c.process.pid ? c.process.pgid : -ESRCH;
}

static int64_t sys_set_tid_address(SyscallContext& c) {
    c.process.clear_child_tid = c.arg(0);
    return c.process.pid;
}

static int64_t sys_set_robust_list(SyscallContext& c) {
    constexpr uint64_t kRobustListHeadSize = 24;  // sizeof(struct robust_list_head)
    if (c.arg(1) != kRobustListHeadSize) return -EINVAL;
    c.process.robust_list = c.arg(0);
    c.process.robust_list_len = c.arg(1);
    return 0;
}

// rseq registration: the area learns it runs on CPU 0, as the kernel writes on return to user.
static int64_t sys_rseq(SyscallContext& c) {
    constexpr uint32_t kRseqUnregister = 1, kMinRseqLen = 32;
    uint64_t area = c.arg(0);
    uint32_t len = uint32_t(c.arg(1));
    if (c.arg(2) & kRseqUnregister) {
        if (c.process.rseq != area) return -EINVAL;
        c.process.rseq = 0;
        return 0;
    }
    if (c.process.rseq) return c.process.rseq == area ? -EBUSY : -EINVAL;
    if (len < kMinRseqLen || (area & 31)) return -EINVAL;
    uint32_t cpu_ids[2] = {0, 0};  // cpu_id_start, cpu_id
    if (!c.mm().write(area, cpu_ids, sizeof cpu_ids)) return -EFAULT;
    c.process.rseq = area;
    return 0;
}

static int64_t sys_arch_prctl(SyscallContext& c) {
    Cpu& cpu = c.cpu();
    uint64_t v = c.arg(1);
    switch (c.iarg(0)) {
    case ARCH_SET_FS:
        if (!x86::is_canonical(v) || v >= x86::kUserAddressEnd) return -EPERM;
        cpu.set_reg(Reg::fs_base, v);
        return 0;
    case ARCH_GET_FS: return c.mm().write_value(v, cpu.reg(Reg::fs_base)) ? 0 : -EFAULT;
    // The user's GS base sits in KERNEL_GS_BASE while the kernel runs (after swapgs).
    case ARCH_SET_GS:
        if (!x86::is_canonical(v) || v >= x86::kUserAddressEnd) return -EPERM;
        cpu.set_msr(x86::kMsrKernelGsBase, v);
        return 0;
    case ARCH_GET_GS: return c.mm().write_value(v, cpu.msr(x86::kMsrKernelGsBase)) ? 0 : -EFAULT;
    default: return -EINVAL;
    }
}

// The limits a default Linux login gives, so libc sizes its stack and fd tables as it would natively.
static rlimit default_rlimit(int resource) {
    switch (resource) {
    case RLIMIT_STACK: return {8 << 20, RLIM_INFINITY};
    case RLIMIT_NOFILE: return {FdTable::kMaxFds, 1 << 20};
    case RLIMIT_CORE: return {0, RLIM_INFINITY};
    case RLIMIT_NPROC: return {63704, 63704};
    case RLIMIT_MEMLOCK: return {8 << 20, 8 << 20};
    case RLIMIT_SIGPENDING: return {63704, 63704};
    case RLIMIT_MSGQUEUE: return {819200, 819200};
    case RLIMIT_NICE: case RLIMIT_RTPRIO: return {0, 0};
    default: return {RLIM_INFINITY, RLIM_INFINITY};
    }
}

static int64_t sys_prlimit64(SyscallContext& c) {
    int pid = c.iarg(0), resource = c.iarg(1);
    if (pid != 0 && pid != c.process.pid) return -ESRCH;
    if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
    rlimit cur = default_rlimit(resource);
    if (c.arg(3) && !c.mm().write_value(c.arg(3), cur)) return -EFAULT;
    if (c.arg(2)) {
        auto want = c.mm().read_value<rlimit>(c.arg(2));
        if (!want) return -EFAULT;
        if (want->rlim_cur > want->rlim_max) return -EINVAL;
        if (want->rlim_max > cur.rlim_max) return -EPERM;
    }
    return 0;
}

static int64_t sys_getrlimit(SyscallContext& c) {
    if (c.iarg(0) < 0 || c.iarg(0) >= RLIM_NLIMITS) return -EINVAL;
    return c.mm().write_value(c.arg(1), default_rlimit(c.iarg(0))) ? 0 : -EFAULT;
}

static int64_t sys_sched_yield(SyscallContext& c) {
    c.kernel.yield();
    return 0;
}

// prctl: the options libc and shells use; the rest are -EINVAL as for an unknown option.
static int64_t sys_prctl(SyscallContext& c) {
    constexpr size_t kTaskCommLen = 16;
    switch (c.iarg(0)) {
    case PR_SET_NAME: {
        char name[kTaskCommLen] = {};
        auto s = c.mm().read_cstring(c.arg(1), kTaskCommLen);
        if (!s) {  // a name may fill all 16 bytes without a NUL: the kernel copies 15
            if (!c.mm().read(c.arg(1), name, kTaskCommLen - 1)) return -EFAULT;
            s = std::string(name, strnlen(name, kTaskCommLen - 1));
        }
        c.process.comm = s->substr(0, kTaskCommLen - 1);
        return 0;
    }
    case PR_GET_NAME: {
        char name[kTaskCommLen] = {};
        std::memcpy(name, c.process.comm.data(), std::min(c.process.comm.size(), kTaskCommLen - 1));
        return c.mm().write(c.arg(1), name, kTaskCommLen) ? 0 : -EFAULT;
    }
    case PR_GET_DUMPABLE: return 1;
    case PR_SET_DUMPABLE: return c.arg(1) <= 1 ? 0 : -EINVAL;
    case PR_SET_PDEATHSIG: return c.arg(1) <= 64 ? 0 : -EINVAL;
    case PR_GET_PDEATHSIG: return c.mm().write_value<int32_t>(c.arg(1), 0) ? 0 : -EFAULT;
    case PR_SET_NO_NEW_PRIVS: return c.arg(1) == 1 ? 0 : -EINVAL;
    case PR_GET_NO_NEW_PRIVS: return 0;
    default: return -EINVAL;
    }
}

static const ServiceRow kRows[] = {
    {"exit", sys_exit, Support::partial, "ends the whole process (no threads yet)", true},
    {"exit_group", sys_exit, Support::full, "", true},
    {"getpid", sys_getpid, Support::full, "", true},
    {"getppid", sys_getppid, Support::full, "", true},
    {"gettid", sys_gettid, Support::full, "", true},
    {"getpgrp", sys_getpgrp, Support::full, "", true},
    {"getpgid", sys_getpgid, Support::full, "", true},
    {"getsid", sys_getsid, Support::partial, "only for the caller", true},
    {"getuid", sys_getuid, Support::full, "", true},
    {"geteuid", sys_getuid, Support::full, "", true},
    {"getgid", sys_getuid, Support::full, "", true},
    {"getegid", sys_getuid, Support::full, "", true},
    {"set_tid_address", sys_set_tid_address, Support::full},
    {"set_robust_list", sys_set_robust_list, Support::full},
    {"rseq", sys_rseq, Support::partial, "registration only: CPU 0 forever, no restarts"},
    {"arch_prctl", sys_arch_prctl, Support::partial, "FS and GS bases only"},
    {"prlimit64", sys_prlimit64, Support::partial, "limits are read-only defaults"},
    {"getrlimit", sys_getrlimit, Support::full},
    {"sched_yield", sys_sched_yield, Support::full, "", true},
    {"prctl", sys_prctl, Support::partial, "names, dumpable, pdeathsig (recorded, not sent), no_new_privs"},
};

std::span<const ServiceRow> process_services() { return kRows; }

}  // namespace sysentry
