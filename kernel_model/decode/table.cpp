// The syscall table: one row per syscall name, arguments in order.
// Adding a decoder = adding a row here (and, for a new way of printing an
// argument, one ArgKind in kinds.hpp + its family file).
#include <algorithm>
#include <vector>

#include "kinds.hpp"

namespace sysentry::decode {
namespace {

const SyscallRow kRows[] = {
    // file I/O
    {"read", {&kFd, &kOutBuf, &kUlong}},
    {"write", {&kFd, &kInBuf, &kUlong}},
    {"pread64", {&kFd, &kOutBuf, &kUlong, &kLong}},
    {"pwrite64", {&kFd, &kInBuf, &kUlong, &kLong}},
    {"readv", {&kFd, &kIovecOut, &kInt}},
    {"writev", {&kFd, &kIovecIn, &kInt}},
    {"open", {&kPath, &kOpenFlags, &kOpenMode}},
    {"openat", {&kDirfd, &kPath, &kOpenFlags, &kOpenMode}},
    {"creat", {&kPath, &kMode}},
    {"close", {&kFd}},
    {"lseek", {&kFd, &kLong, &kWhence}},
    {"dup", {&kFd}},
    {"dup2", {&kFd, &kFd}},
    {"dup3", {&kFd, &kFd, &kOpenBits}},
    {"pipe", {&kPipeFds}},
    {"pipe2", {&kPipeFds, &kOpenBits}},
    {"fcntl", {&kFd, &kFcntlCmd, &kFcntlArg}, Ret::FcntlResult},
    {"ioctl", {&kFd, &kIoctlCmd, &kIoctlArg}},
    {"fsync", {&kFd}},
    {"fdatasync", {&kFd}},
    {"truncate", {&kPath, &kLong}},
    {"ftruncate", {&kFd, &kLong}},
    {"getdents64", {&kFd, &kDirentsOut, &kUint}},
    {"copy_file_range", {&kFd, &kLoffIn, &kFd, &kLoffIn, &kUlong, &kUint}},
    // multiplexing
    {"poll", {&kPollFds, &kUint, &kInt}, Ret::Poll},
    {"ppoll", {&kPollFds, &kUint, &kTimespecIn, &kSizedSigset, &kUlong}, Ret::Ppoll},
    {"select", {&kInt, &kFdSet, &kFdSet, &kFdSet, &kTimevalIn}, Ret::Select},
    {"pselect6", {&kInt, &kFdSet, &kFdSet, &kFdSet, &kTimespecIn, &kPselectSigmask}, Ret::Pselect6},
    // metadata
    {"stat", {&kPath, &kStatOut}},
    {"lstat", {&kPath, &kStatOut}},
    {"fstat", {&kFd, &kStatOut}},
    {"newfstatat", {&kDirfd, &kPath, &kStatOut, &kAtFlags}},
    {"statx", {&kDirfd, &kPath, &kStatxFlags, &kStatxMask, &kStatxOut}},
    {"access", {&kPath, &kAccessMode}},
    {"faccessat", {&kDirfd, &kPath, &kAccessMode}},
    {"faccessat2", {&kDirfd, &kPath, &kAccessMode, &kFaccessFlags}},
    {"readlink", {&kPath, &kOutBuf, &kUlong}},
    {"readlinkat", {&kDirfd, &kPath, &kOutBuf, &kUlong}},
    {"getxattr", {&kPath, &kCStr, &kOutBuf, &kUlong}},
    {"lgetxattr", {&kPath, &kCStr, &kOutBuf, &kUlong}},
    {"fgetxattr", {&kFd, &kCStr, &kOutBuf, &kUlong}},
    {"chmod", {&kPath, &kMode}},
    {"fchmod", {&kFd, &kMode}},
    {"fchmodat", {&kDirfd, &kPath, &kMode}},
    {"chown", {&kPath, &kInt, &kInt}},
    {"fchown", {&kFd, &kInt, &kInt}},
    {"lchown", {&kPath, &kInt, &kInt}},
    {"umask", {&kMode}, Ret::Octal},
    // directories and names
    {"getcwd", {&kOutPathBuf, &kUlong}},
    {"chdir", {&kPath}},
    {"fchdir", {&kFd}},
    {"mkdir", {&kPath, &kMode}},
    {"mkdirat", {&kDirfd, &kPath, &kMode}},
    {"rmdir", {&kPath}},
    {"unlink", {&kPath}},
    {"unlinkat", {&kDirfd, &kPath, &kAtFlags}},
    {"link", {&kPath, &kPath}},
    {"symlink", {&kPath, &kPath}},
    {"rename", {&kPath, &kPath}},
    {"renameat", {&kDirfd, &kPath, &kDirfd, &kPath}},
    {"renameat2", {&kDirfd, &kPath, &kDirfd, &kPath, &kRenameFlags}},
    // sockets (addresses shown as pointers)
    {"socket", {&kSocketFamily, &kSocketType, &kSocketProtocol}},
    {"socketpair", {&kSocketFamily, &kSocketType, &kSocketProtocol, &kPipeFds}},
    {"connect", {&kFd, &kPtr, &kUint}},
    {"bind", {&kFd, &kPtr, &kUint}},
    {"listen", {&kFd, &kInt}},
    {"shutdown", {&kFd, &kInt}},
    // memory
    {"brk", {&kPtr}, Ret::Hex},
    {"mmap", {&kPtr, &kUlong, &kProt, &kMmapFlags, &kFd, &kHex}, Ret::Hex},
    {"mprotect", {&kPtr, &kUlong, &kProt}},
    {"munmap", {&kPtr, &kUlong}},
    {"mremap", {&kPtr, &kUlong, &kUlong, &kMremapFlags, &kMremapAddr}, Ret::Hex},
    {"madvise", {&kPtr, &kUlong, &kMadvise}},
    // processes
    {"execve", {&kPath, &kArgv, &kEnvp}},
    {"exit", {&kInt}, Ret::None},
    {"exit_group", {&kInt}, Ret::None},
    {"fork", {}},
    {"vfork", {}},
    {"clone", {&kCloneStackFlags, &kCloneTids}},
    {"wait4", {&kInt, &kWaitStatus, &kWaitOptions, &kRusageOut}},
    {"waitid", {&kIdtype, &kInt, &kSiginfoOut, &kWaitOptions, &kRusageOut}},
    {"kill", {&kInt, &kSignal}},
    {"tkill", {&kInt, &kSignal}},
    {"tgkill", {&kInt, &kInt, &kSignal}},
    {"getpid", {}},
    {"getppid", {}},
    {"gettid", {}},
    {"getuid", {}},
    {"geteuid", {}},
    {"getgid", {}},
    {"getegid", {}},
    {"getpgrp", {}},
    {"setsid", {}},
    {"getpgid", {&kInt}},
    {"getsid", {&kInt}},
    {"setpgid", {&kInt, &kInt}},
    {"setuid", {&kInt}},
    {"setgid", {&kInt}},
    {"sched_yield", {}},
    {"pause", {}},
    {"sync", {}},
    {"arch_prctl", {&kArchPrctlCode, &kArchPrctlAddr}},
    {"set_tid_address", {&kPtr}},
    {"set_robust_list", {&kPtr, &kUlong}},
    {"rseq", {&kPtr, &kHex, &kRseqFlags, &kHex}},
    {"prlimit64", {&kInt, &kResource, &kRlimitIn, &kRlimitOut}},
    {"getrlimit", {&kResource, &kRlimitOut}},
    {"setrlimit", {&kResource, &kRlimitIn}},
    {"futex", {&kPtr, &kFutexOp, &kFutexVal, &kFutexVal2, &kFutexUaddr2, &kFutexVal3}},
    // signals
    {"rt_sigaction", {&kSignal, &kSigactionIn, &kSigactionOut, &kUlong}},
    {"rt_sigprocmask", {&kSigprocmaskHow, &kSigsetIn, &kSigsetOut, &kUlong}},
    {"rt_sigreturn", {&kSigreturnMask}},
    {"rt_sigpending", {&kSigsetOut, &kUlong}},
    {"rt_sigqueueinfo", {&kInt, &kSignal, &kSiginfoIn}},
    {"rt_tgsigqueueinfo", {&kInt, &kInt, &kSignal, &kSiginfoIn}},
    // time and system information
    {"time", {&kTimeOut}, Ret::Time},
    {"gettimeofday", {&kTimevalOut, &kTimezoneOut}},
    {"clock_gettime", {&kClockId, &kTimespecOut}},
    {"clock_getres", {&kClockId, &kTimespecOut}},
    {"nanosleep", {&kTimespecIn, &kTimespecRem}},
    {"clock_nanosleep", {&kClockId, &kTimerFlags, &kTimespecIn, &kTimespecRem}},
    {"alarm", {&kUint}},
    {"setitimer", {&kItimerWhichArg, &kItimervalIn, &kItimervalOut}},
    {"getitimer", {&kItimerWhichArg, &kItimervalOut}},
    {"uname", {&kUtsnameOut}},
    {"sysinfo", {&kSysinfoOut}},
    {"getrandom", {&kRandomBuf, &kUlong, &kGrndFlags}},
};

}  // namespace

const SyscallRow* find_row(std::string_view name) {
    // Sorted copy built once: lookups happen for every traced call.
    static const std::vector<const SyscallRow*> sorted = [] {
        std::vector<const SyscallRow*> v;
        for (const auto& r : kRows) v.push_back(&r);
        std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->name < b->name; });
        return v;
    }();
    auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                               [](const SyscallRow* r, std::string_view n) { return r->name < n; });
    return (it != sorted.end() && (*it)->name == name) ? *it : nullptr;
}

}  // namespace sysentry::decode
