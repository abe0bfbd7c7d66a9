// Every argument kind a syscall table row can name. One kind = one way strace
// prints an argument; defined next to its family (scalars, strings, flags,
// structs, signals). Adding a kind: declare it here, define it in its family.
#pragma once
#include "decode.hpp"

namespace sysentry::decode {

// scalars.cpp
extern const ArgKind kInt;       // int, decimal: -1
extern const ArgKind kUint;      // unsigned int, decimal
extern const ArgKind kLong;      // long / off_t, decimal
extern const ArgKind kUlong;     // size_t, decimal
extern const ArgKind kHex;       // 0x1000, 0 as "0"
extern const ArgKind kPtr;       // NULL or 0x7ffd...
extern const ArgKind kFd;        // 3
extern const ArgKind kDirfd;     // AT_FDCWD or 3
extern const ArgKind kMode;      // 0644

// strings.cpp (string_kinds.cpp)
extern const ArgKind kPath;       // "/etc/passwd", never cut at 32
extern const ArgKind kCStr;       // "user.name", cut at 32
extern const ArgKind kInBuf;      // write's buffer, length in the next argument
extern const ArgKind kOutBuf;     // read's buffer, length = return value
extern const ArgKind kOutPathBuf; // getcwd's buffer, length = return value, never cut
extern const ArgKind kRandomBuf;  // getrandom: hex escapes, length = return value
extern const ArgKind kIovecIn;    // writev: [{iov_base="hi", iov_len=2}], count next
extern const ArgKind kIovecOut;   // readv: filled up to the return value
extern const ArgKind kArgv;       // ["ls", "-l"]
extern const ArgKind kEnvp;       // 0x7ffd... /* 3 vars */

// flags.cpp
extern const ArgKind kOpenFlags;     // O_RDONLY|O_CLOEXEC
extern const ArgKind kOpenMode;      // 0644, only with O_CREAT/O_TMPFILE in the previous arg
extern const ArgKind kOpenBits;      // dup3/pipe2: O_CLOEXEC without the access mode
extern const ArgKind kProt;          // PROT_READ|PROT_WRITE
extern const ArgKind kMmapFlags;     // MAP_PRIVATE|MAP_ANONYMOUS
extern const ArgKind kMadvise;       // MADV_DONTNEED
extern const ArgKind kMremapFlags;   // MREMAP_MAYMOVE
extern const ArgKind kMremapAddr;    // new address, only with MREMAP_FIXED
extern const ArgKind kAtFlags;       // AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW
extern const ArgKind kFaccessFlags;  // AT_EACCESS
extern const ArgKind kStatxFlags;    // AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH
extern const ArgKind kStatxMask;     // STATX_ALL
extern const ArgKind kAccessMode;    // R_OK|W_OK, F_OK
extern const ArgKind kWhence;        // SEEK_SET
extern const ArgKind kFcntlCmd;      // F_GETFL
extern const ArgKind kFcntlArg;      // depends on the command; absent for F_GET*
extern const ArgKind kRenameFlags;   // RENAME_NOREPLACE
extern const ArgKind kGrndFlags;     // GRND_NONBLOCK
extern const ArgKind kClockId;       // CLOCK_MONOTONIC
extern const ArgKind kTimerFlags;    // TIMER_ABSTIME
extern const ArgKind kResource;      // RLIMIT_STACK
extern const ArgKind kArchPrctlCode; // ARCH_SET_FS
extern const ArgKind kArchPrctlAddr; // 0x7f... or [0x7f...] for ARCH_GET_*
extern const ArgKind kWaitOptions;   // WNOHANG|__WALL
extern const ArgKind kRseqFlags;     // 0
extern const ArgKind kFutexOp;       // FUTEX_WAIT_PRIVATE
extern const ArgKind kFutexVal;      // val, absent for the PI lock commands
extern const ArgKind kFutexVal2;     // timeout or val2, only for ops that use it
extern const ArgKind kFutexUaddr2;   // only for requeue/wake_op
extern const ArgKind kFutexVal3;     // only for bitset/cmp_requeue/wake_op
extern const ArgKind kCloneStackFlags;  // child_stack=NULL, flags=CLONE_...|SIGCHLD
extern const ArgKind kCloneTids;        // parent_tid=[..], tls=.., child_tidptr=..
extern const ArgKind kIoctlCmd;      // TCGETS, _IOC(...)
extern const ArgKind kIoctlArg;      // in/out by command

// structs.cpp
extern const ArgKind kStatOut;       // {st_mode=S_IFREG|0644, st_size=3, ...}
extern const ArgKind kStatxOut;      // {stx_mask=..., stx_attributes=0, stx_mode=..., stx_size=3, ...}
extern const ArgKind kTimespecIn;    // {tv_sec=0, tv_nsec=1000}
extern const ArgKind kTimespecOut;
extern const ArgKind kTimespecRem;   // nanosleep remainder: filled only when interrupted
extern const ArgKind kTimevalOut;    // {tv_sec=..., tv_usec=...}
extern const ArgKind kTimezoneOut;   // {tz_minuteswest=0, tz_dsttime=0}
extern const ArgKind kTimeOut;       // time(): [1700000000 /* 2023-... */]
extern const ArgKind kRlimitIn;      // {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}
extern const ArgKind kRlimitOut;
extern const ArgKind kUtsnameOut;    // {sysname="Linux", nodename="vm", ...}
extern const ArgKind kSysinfoOut;
extern const ArgKind kRusageOut;     // {ru_utime={...}, ru_stime={...}, ...}
extern const ArgKind kDirentsOut;    // 0x55d0... /* 5 entries */
extern const ArgKind kPipeFds;       // [3, 4]

// signals.cpp
extern const ArgKind kSignal;        // SIGINT
extern const ArgKind kSigsetIn;      // [INT TERM]
extern const ArgKind kSigsetOut;
extern const ArgKind kSigprocmaskHow;  // SIG_BLOCK
extern const ArgKind kSigactionIn;   // {sa_handler=..., sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=...}
extern const ArgKind kSigactionOut;
extern const ArgKind kWaitStatus;    // [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]

// multiplex.cpp
extern const ArgKind kPollFds;        // [{fd=3, events=POLLIN}, {fd=-1}]; the count is the next argument
extern const ArgKind kFdSet;          // select's [3 4], sized by argument 0
extern const ArgKind kTimevalIn;      // {tv_sec=0, tv_usec=5000}
extern const ArgKind kSizedSigset;    // ppoll: [INT], its length the next argument
extern const ArgKind kPselectSigmask; // {sigmask=[INT], sigsetsize=8}

// waits.cpp
extern const ArgKind kItimerWhichArg; // ITIMER_REAL
extern const ArgKind kItimervalIn;    // {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=5, tv_usec=0}}
extern const ArgKind kItimervalOut;
extern const ArgKind kIdtype;         // P_PID
extern const ArgKind kSigreturnMask;  // rt_sigreturn: {mask=[]} from the frame at RSP (signals.cpp)
extern const ArgKind kSiginfoIn;      // rt_sigqueueinfo: {si_signo=SIGUSR1, si_code=SI_QUEUE, ...} (siginfo.cpp)
extern const ArgKind kSiginfoOut;     // waitid: {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} or {}
extern const ArgKind kLoffIn;         // copy_file_range: [10] or NULL

// sockets.cpp
extern const ArgKind kSocketFamily;   // AF_INET
extern const ArgKind kSocketType;     // SOCK_STREAM|SOCK_CLOEXEC
extern const ArgKind kSocketProtocol; // IPPROTO_TCP, by the family in argument 0

}  // namespace sysentry::decode
