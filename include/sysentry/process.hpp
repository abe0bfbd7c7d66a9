// One guest process: its address space, files, signal dispositions, kernel
// stack and the identity Linux would give it.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <functional>
#include <memory>
#include <vector>

#include "sysentry/address_space.hpp"
#include "sysentry/cpu.hpp"
#include "sysentry/fd_table.hpp"
#include "sysentry/syscall_catalogue.hpp"

namespace sysentry {

struct SigAction {  // struct kernel_sigaction (x86-64)
    uint64_t handler = 0, flags = 0, restorer = 0, mask = 0;
};

// The task's sas_ss_* fields (sigaltstack).
struct AltStack {
    static constexpr uint32_t kDisabled = 2;  // SS_DISABLE
    uint64_t sp = 0, size = 0;
    uint32_t flags = kDisabled;
};

// The umask a native child of sysentry's caller would inherit: captured before
// main() runs (main sets sysentry's own to 0 so the guest's umask alone applies).
uint32_t initial_umask();

struct ProcessExit {
    int code = 0;    // exit status when signal == 0
    int signal = 0;  // the terminating signal
    int wait_status() const { return signal ? signal : (code & 0xff) << 8; }
};

enum class TaskState { runnable, blocked, zombie };

// One task: a process, or a thread of one (threads share `space` and `files`).
struct Process {
    Process(int pid, std::shared_ptr<AddressSpace> space, std::shared_ptr<FdTable> files)
        : pid(pid), tgid(pid), space(std::move(space)), files(std::move(files)), mm(*this->space), fds(*this->files) {}
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    int pid;   // the task id (gettid)
    int tgid;  // the thread group: the process id (getpid)
    int ppid = 0, pgid = 0, sid = 0;
    std::shared_ptr<AddressSpace> space;
    std::shared_ptr<FdTable> files;
    AddressSpace& mm;
    FdTable& fds;
    std::string cwd = "/";
    std::string exe;        // the guest path /proc/self/exe names
    std::string comm;       // the executable's basename, 15 chars at most
    uint64_t kernel_stack_top = 0;
    std::array<SigAction, 65> actions{};  // indexed by signal number 1..64
    uint64_t blocked = 0;                 // the signal mask
    uint64_t pending = 0;                 // signals generated, not yet taken for delivery
    struct Source { int code = 0, pid = 0; uint64_t address = 0; int status = 0; uint64_t value = 0; };
    std::optional<uint64_t> saved_sigmask;  // rt_sigsuspend's, put back by the handler's frame
    std::array<Source, 65> signal_sources{};  // for each pending signal's siginfo
    AltStack altstack;
    uint32_t umask = initial_umask();
    uint64_t clear_child_tid = 0, robust_list = 0, robust_list_len = 0;
    uint64_t rseq = 0;
    std::optional<ProcessExit> exit;

    // Scheduling: the CPU while switched out, and a blocked call to retry.
    TaskState state = TaskState::runnable;
    bool reaped = false;  // its parent has waited for it; gone once off the CPU
    std::optional<CpuContext> context;
    std::function<std::optional<int64_t>()> retry;  // nullopt: still blocked
    struct BlockedCall { int64_t nr; std::array<uint64_t, 6> args; uint64_t sp, ip; SyscallAbi abi = SyscallAbi::x86_64; };
    std::optional<BlockedCall> blocked_call;  // what /proc/<pid>/syscall shows
    std::shared_ptr<const std::vector<uint8_t>> image;  // the ELF it runs: /proc/self/exe
    // futex: the word this task waits on, and whether a FUTEX_WAKE chose it.
    uint64_t futex_word = 0;
    bool futex_woken = false;
    int64_t futex_deadline_ns = 0;  // 0: no timeout
    int64_t sleep_deadline_ns = 0;  // nanosleep's, on the clock it sleeps on; poll/select's on CLOCK_MONOTONIC
    bool waits_on_host = false;     // poll/select on a host fd (a terminal): something outside may wake it
    bool mask_set_by_wait = false;  // saved_sigmask holds the mask ppoll/pselect6 replaced
    // ITIMER_REAL (alarm, setitimer) of the thread group leader: CLOCK_MONOTONIC ns, 0 = disarmed.
    int64_t itimer_real_ns = 0, itimer_real_interval_ns = 0;
};

}  // namespace sysentry
