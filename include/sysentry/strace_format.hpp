// Formats one traced system call exactly as `strace -f` (strace 6.1, Debian
// bookworm) prints it, so a --trace run can be diffed byte for byte against
// the real tool. Argument decoders live in kernel_model/decode/.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sysentry {

class UserMemory;
namespace decode { struct SyscallRow; }

// strace aligns " = result" so that '=' lands on column 40 (0-based) unless
// the call text is already longer.
inline constexpr size_t kStraceResultColumn = 40;
// strace's default -s: at most this many bytes of a string or buffer, and at
// most this many elements of an array, are shown before "...".
inline constexpr size_t kStraceMaxStrlen = 32;

// Usage per call: on_entry() at syscall entry, then exactly one of on_exit(),
// resumed() or unfinished_no_return().
class SyscallFormatter {
public:
    // Text put before every line and counted for the column-40 alignment,
    // e.g. strace_pid_prefix(pid) once a trace has several processes.
    void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }

    // Formats the arguments that are inputs (memory as the kernel sees it
    // before the call). `name` is the syscall name; names the decoder table
    // does not know get six raw hex arguments (strace's syscall_0x.. style).
    // `user_sp` is the caller's RSP (rt_sigreturn's frame is there).
    void on_entry(std::string_view name, const std::array<uint64_t, 6>& args,
                  const UserMemory& mem, uint64_t user_sp = 0);

    // Completes the output arguments and returns the whole line without a
    // trailing newline: `write(1, "hi\n", 3)                  = 3`.
    // `ret` is the raw kernel return value: -4095..-1 is -errno.
    std::string on_exit(int64_t ret, const UserMemory& mem);

    // For calls that never return (exit, exit_group, a process killed
    // inside the call): `exit_group(0)                           = ?`.
    std::string unfinished_no_return() const;

    // strace -f interleaving: when another process prints between entry and
    // exit, the entry is shown as `wait4(4428,  <unfinished ...>` and the
    // exit as `<... wait4 resumed>[{WIFEXITED(s) ...}], 0, NULL) = 4428`.
    std::string unfinished() const;
    std::string resumed(int64_t ret, const UserMemory& mem);
    // Killed after unfinished() was printed: `<... read resumed> <unfinished ...>) = ?`.
    std::string resumed_no_return() const;

private:
    std::string finish(std::string line, int64_t ret, const UserMemory& mem) const;
    std::string exit_part(int64_t ret, const UserMemory& mem);

    std::string prefix_;
    std::string name_;
    std::array<uint64_t, 6> args_{};
    const decode::SyscallRow* row_ = nullptr;  // nullptr: unknown name, raw args
    std::string entry_text_;     // "name(arg0, arg1, " up to the first output argument
    size_t next_arg_ = 0;        // first argument not yet printed
    bool need_separator_ = false;
};

// "[pid  1234] ": strace -f's prefix once more than one process is traced.
std::string strace_pid_prefix(int pid);

// "SIGINT", "SIGRTMIN", "SIGRT_3"; other numbers in decimal.
std::string strace_signal_name(int sig);

// The siginfo_t fields strace shows (printsiginfo.c); which appear depends on si_code and the signal.
struct StraceSiginfo {
    int signo = 0, code = 0;
    int pid = 0;
    uint32_t uid = 0;
    int status = 0;         // SIGCHLD
    uint64_t value = 0;     // si_value: sigqueue, timers
    uint64_t address = 0;   // si_addr: faults
    int64_t utime = 0, stime = 0;  // SIGCHLD, clock ticks
};
// "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=1234, si_uid=0}", "{si_signo=SIGALRM, si_code=SI_KERNEL}"
std::string strace_siginfo(const StraceSiginfo& si);

// "+++ exited with 3 +++"
std::string strace_exit_notice(int exit_code);
// "+++ killed by SIGSEGV +++" or "+++ killed by SIGABRT (core dumped) +++"
std::string strace_killed_notice(int sig, bool core_dumped);

}  // namespace sysentry
