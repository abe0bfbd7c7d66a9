// Flag sets and enumerations, in strace's table order (x86-64 values).
#include <fmt/format.h>

#include "flags.hpp"
#include "kinds.hpp"

namespace sysentry::decode {
namespace {

// open(2) flags after the access mode, as strace's open_mode_flags: O_SYNC
// before its O_DSYNC part, O_TMPFILE before its O_DIRECTORY part.
constexpr XlatEntry kOpenModeFlags[] = {
    {0100, "O_CREAT"},        {0200, "O_EXCL"},          {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},       {02000, "O_APPEND"},       {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},     {04000000, "__O_SYNC"},    {010000, "O_DSYNC"},
    {040000, "O_DIRECT"},     {0100000, "O_LARGEFILE"},  {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},   {010000000, "O_PATH"},
    {020200000, "O_TMPFILE"}, {020000000, "__O_TMPFILE"}, {0200000, "O_DIRECTORY"},
    {020000, "FASYNC"},
};
constexpr XlatEntry kOpenAccessModes[] = {
    {0, "O_RDONLY"}, {1, "O_WRONLY"}, {2, "O_RDWR"}, {3, "O_ACCMODE"},
};
constexpr uint64_t kAccMode = 3;
constexpr uint64_t kOCreat = 0100;
constexpr uint64_t kOTmpfileBit = 020000000;  // __O_TMPFILE

constexpr XlatEntry kFdFlags[] = {{1, "FD_CLOEXEC"}};

constexpr XlatEntry kProtFlags[] = {
    {0, "PROT_NONE"},      {1, "PROT_READ"},  {2, "PROT_WRITE"},
    {4, "PROT_EXEC"},      {8, "PROT_SEM"},   {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};

constexpr uint64_t kMapType = 0xf;
constexpr XlatEntry kMmapTypes[] = {
    {1, "MAP_SHARED"}, {2, "MAP_PRIVATE"}, {3, "MAP_SHARED_VALIDATE"},
};
constexpr XlatEntry kMmapFlags[] = {
    {0x10, "MAP_FIXED"},        {0x20, "MAP_ANONYMOUS"},   {0x40, "MAP_32BIT"},
    {0x80, "MAP_ABOVE4G"},      {0x4000, "MAP_NORESERVE"}, {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},  {0x100, "MAP_GROWSDOWN"},  {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"}, {0x2000, "MAP_LOCKED"},    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},   {0x80000, "MAP_SYNC"},     {0x4000000, "MAP_UNINITIALIZED"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
};

constexpr XlatEntry kMadviseAdvice[] = {
    {0, "MADV_NORMAL"},      {1, "MADV_RANDOM"},       {2, "MADV_SEQUENTIAL"},
    {3, "MADV_WILLNEED"},    {4, "MADV_DONTNEED"},     {8, "MADV_FREE"},
    {9, "MADV_REMOVE"},      {10, "MADV_DONTFORK"},    {11, "MADV_DOFORK"},
    {12, "MADV_MERGEABLE"},  {13, "MADV_UNMERGEABLE"}, {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"}, {16, "MADV_DONTDUMP"},    {17, "MADV_DODUMP"},
    {18, "MADV_WIPEONFORK"}, {19, "MADV_KEEPONFORK"},  {20, "MADV_COLD"},
    {21, "MADV_PAGEOUT"},    {22, "MADV_POPULATE_READ"}, {23, "MADV_POPULATE_WRITE"},
    {100, "MADV_HWPOISON"},  {101, "MADV_SOFT_OFFLINE"},
};

constexpr uint64_t kMremapFixed = 2;
constexpr XlatEntry kMremapFlags[] = {
    {1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"},
};

constexpr XlatEntry kAtFlags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"}, {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},     {0x1000, "AT_EMPTY_PATH"}, {0x8000, "AT_RECURSIVE"},
};
constexpr XlatEntry kFaccessatFlags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_EACCESS"}, {0x1000, "AT_EMPTY_PATH"},
};
constexpr uint64_t kStatxSyncType = 0x6000;
constexpr XlatEntry kStatxSyncTypes[] = {
    {0, "AT_STATX_SYNC_AS_STAT"}, {0x2000, "AT_STATX_FORCE_SYNC"}, {0x4000, "AT_STATX_DONT_SYNC"},
};
constexpr XlatEntry kStatxMasks[] = {
    {0xfff, "STATX_ALL"},      {0x7ff, "STATX_BASIC_STATS"}, {0x1, "STATX_TYPE"},
    {0x2, "STATX_MODE"},       {0x4, "STATX_NLINK"},         {0x8, "STATX_UID"},
    {0x10, "STATX_GID"},       {0x20, "STATX_ATIME"},        {0x40, "STATX_MTIME"},
    {0x80, "STATX_CTIME"},     {0x100, "STATX_INO"},         {0x200, "STATX_SIZE"},
    {0x400, "STATX_BLOCKS"},   {0x800, "STATX_BTIME"},       {0x1000, "STATX_MNT_ID"},
    {0x2000, "STATX_DIOALIGN"},
};

constexpr XlatEntry kAccessModes[] = {{0, "F_OK"}, {4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
constexpr XlatEntry kWhence[] = {
    {0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"},
};

enum FcntlCmd : uint64_t {
    kFDupfd = 0, kFSetfd = 2, kFSetfl = 4, kFGetlk = 5, kFSetlk = 6, kFSetlkw = 7,
    kFSetown = 8, kFGetown = 9, kFSetsig = 10, kFGetsig = 11, kFGetownEx = 16,
    kFSetlease = 1024, kFGetlease = 1025, kFNotify = 1026, kFDupfdCloexec = 1030,
    kFSetpipeSz = 1031, kFGetpipeSz = 1032, kFAddSeals = 1033, kFGetSeals = 1034,
};
constexpr XlatEntry kFcntlCmds[] = {
    {0, "F_DUPFD"},      {1, "F_GETFD"},        {2, "F_SETFD"},          {3, "F_GETFL"},
    {4, "F_SETFL"},      {5, "F_GETLK"},        {6, "F_SETLK"},          {7, "F_SETLKW"},
    {8, "F_SETOWN"},     {9, "F_GETOWN"},       {10, "F_SETSIG"},        {11, "F_GETSIG"},
    {15, "F_SETOWN_EX"}, {16, "F_GETOWN_EX"},   {36, "F_OFD_GETLK"},     {37, "F_OFD_SETLK"},
    {38, "F_OFD_SETLKW"}, {1024, "F_SETLEASE"}, {1025, "F_GETLEASE"},    {1026, "F_NOTIFY"},
    {1030, "F_DUPFD_CLOEXEC"}, {1031, "F_SETPIPE_SZ"}, {1032, "F_GETPIPE_SZ"},
    {1033, "F_ADD_SEALS"}, {1034, "F_GET_SEALS"},
};

constexpr XlatEntry kRenameFlags[] = {
    {1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"},
};
constexpr XlatEntry kGrndFlags[] = {{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};
constexpr XlatEntry kClockIds[] = {
    {0, "CLOCK_REALTIME"},         {1, "CLOCK_MONOTONIC"},       {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"},  {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},        {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"},   {10, "CLOCK_SGI_CYCLE"},      {11, "CLOCK_TAI"},
};
constexpr XlatEntry kTimerFlags[] = {{1, "TIMER_ABSTIME"}};
constexpr XlatEntry kResources[] = {
    {0, "RLIMIT_CPU"},     {1, "RLIMIT_FSIZE"},   {2, "RLIMIT_DATA"},        {3, "RLIMIT_STACK"},
    {4, "RLIMIT_CORE"},    {5, "RLIMIT_RSS"},     {6, "RLIMIT_NPROC"},       {7, "RLIMIT_NOFILE"},
    {8, "RLIMIT_MEMLOCK"}, {9, "RLIMIT_AS"},      {10, "RLIMIT_LOCKS"},      {11, "RLIMIT_SIGPENDING"},
    {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"}, {14, "RLIMIT_RTPRIO"},     {15, "RLIMIT_RTTIME"},
};

constexpr uint64_t kArchGetFs = 0x1003;
constexpr uint64_t kArchGetGs = 0x1004;
constexpr uint64_t kArchGetCpuid = 0x1011;
constexpr XlatEntry kArchPrctlCodes[] = {
    {0x1001, "ARCH_SET_GS"},    {0x1002, "ARCH_SET_FS"},    {0x1003, "ARCH_GET_FS"},
    {0x1004, "ARCH_GET_GS"},    {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"},
    {0x2001, "ARCH_MAP_VDSO_X32"}, {0x2002, "ARCH_MAP_VDSO_32"}, {0x2003, "ARCH_MAP_VDSO_64"},
};

constexpr XlatEntry kWaitOptions[] = {
    {1, "WNOHANG"},         {2, "WSTOPPED"},      {4, "WEXITED"},     {8, "WCONTINUED"},
    {0x1000000, "WNOWAIT"}, {0x20000000, "__WNOTHREAD"}, {0x40000000, "__WALL"},
    {0x80000000, "__WCLONE"},
};
constexpr XlatEntry kRseqFlags[] = {{1, "RSEQ_FLAG_UNREGISTER"}};

std::optional<std::string> print_open_flags(const CallView& c, size_t i) {
    return format_open_flags(uint32_t(c.arg(i)));
}
std::optional<std::string> print_open_mode(const CallView& c, size_t i) {
    const uint64_t flags = c.arg(i - 1);
    if ((flags & (kOCreat | kOTmpfileBit)) == 0) return std::nullopt;
    return fmt::format("{:#03o}", uint32_t(c.arg(i)));
}
std::optional<std::string> print_open_bits(const CallView& c, size_t i) {
    return format_flags(kOpenModeFlags, uint32_t(c.arg(i)), "O_???");
}
std::optional<std::string> print_prot(const CallView& c, size_t i) {
    return format_flags(kProtFlags, c.arg(i), "PROT_???");
}

std::optional<std::string> print_mmap_flags(const CallView& c, size_t i) {
    const uint64_t flags = uint32_t(c.arg(i));
    std::string out = format_xval(kMmapTypes, flags & kMapType, "MAP_???");
    if (const uint64_t rest = flags & ~kMapType; rest != 0) out += "|" + format_flags(kMmapFlags, rest, "");
    return out;
}

std::optional<std::string> print_madvise(const CallView& c, size_t i) {
    return format_xval(kMadviseAdvice, uint32_t(c.arg(i)), "MADV_???");
}
std::optional<std::string> print_mremap_flags(const CallView& c, size_t i) {
    return format_flags(kMremapFlags, c.arg(i), "MREMAP_???");
}
std::optional<std::string> print_mremap_addr(const CallView& c, size_t i) {
    if ((c.arg(i - 1) & kMremapFixed) == 0) return std::nullopt;
    return addr(c.arg(i));
}
std::optional<std::string> print_at_flags(const CallView& c, size_t i) {
    return format_flags(kAtFlags, uint32_t(c.arg(i)), "AT_???");
}
std::optional<std::string> print_faccess_flags(const CallView& c, size_t i) {
    return format_flags(kFaccessatFlags, uint32_t(c.arg(i)), "AT_???");
}
std::optional<std::string> print_statx_flags(const CallView& c, size_t i) {
    const uint64_t flags = uint32_t(c.arg(i));
    std::string out = format_xval(kStatxSyncTypes, flags & kStatxSyncType, "AT_STATX_???");
    if (const uint64_t rest = flags & ~kStatxSyncType; rest != 0) out += "|" + format_flags(kAtFlags, rest, "");
    return out;
}
std::optional<std::string> print_statx_mask(const CallView& c, size_t i) {
    return format_statx_mask(uint32_t(c.arg(i)));
}
std::optional<std::string> print_access_mode(const CallView& c, size_t i) {
    return format_flags(kAccessModes, uint32_t(c.arg(i)), "?_OK");
}
std::optional<std::string> print_whence(const CallView& c, size_t i) {
    return format_xval(kWhence, uint32_t(c.arg(i)), "SEEK_???");
}
std::optional<std::string> print_fcntl_cmd(const CallView& c, size_t i) {
    return format_xval(kFcntlCmds, uint32_t(c.arg(i)), "F_???");
}

// The third argument's meaning depends on the command; F_GET* commands have none.
std::optional<std::string> print_fcntl_arg(const CallView& c, size_t i) {
    const uint64_t v = c.arg(i);
    switch (uint32_t(c.arg(i - 1))) {
        case kFcntlGetFd: case kFcntlGetFl: case kFGetown: case kFGetsig:
        case kFGetlease: case kFGetpipeSz: case kFGetSeals:
            return std::nullopt;
        case kFSetfd: return format_fd_flags(v);
        case kFSetfl: return format_open_flags(uint32_t(v));
        case kFDupfd: case kFDupfdCloexec: case kFSetown: case kFSetsig: case kFSetpipeSz:
        case kFSetlease: case kFNotify: case kFAddSeals:
            return fmt::format("{}", int32_t(v));
        case kFGetlk: case kFSetlk: case kFSetlkw: case kFGetownEx:
            return addr(v);
        default: return hex(v);
    }
}

std::optional<std::string> print_rename_flags(const CallView& c, size_t i) {
    return format_flags(kRenameFlags, uint32_t(c.arg(i)), "RENAME_???");
}
std::optional<std::string> print_grnd_flags(const CallView& c, size_t i) {
    return format_flags(kGrndFlags, uint32_t(c.arg(i)), "GRND_???");
}
std::optional<std::string> print_clock_id(const CallView& c, size_t i) {
    return format_xval(kClockIds, uint32_t(c.arg(i)), "CLOCK_???");
}
std::optional<std::string> print_timer_flags(const CallView& c, size_t i) {
    return format_flags(kTimerFlags, uint32_t(c.arg(i)), "TIMER_???");
}
std::optional<std::string> print_resource(const CallView& c, size_t i) {
    return format_xval(kResources, uint32_t(c.arg(i)), "RLIMIT_???");
}
std::optional<std::string> print_arch_prctl_code(const CallView& c, size_t i) {
    return format_xval(kArchPrctlCodes, uint32_t(c.arg(i)), "ARCH_???");
}

// ARCH_GET_FS/GS store the base through the pointer: shown as [0x...] on success.
std::optional<std::string> print_arch_prctl_addr(const CallView& c, size_t i) {
    const uint64_t code = uint32_t(c.arg(i - 1));
    if (code != kArchGetFs && code != kArchGetGs) return hex(c.arg(i));
    if (!c.exiting || c.failed()) return addr(c.arg(i));
    if (auto v = c.mem.read_value<uint64_t>(c.arg(i))) return fmt::format("[{}]", hex(*v));
    return addr(c.arg(i));
}

std::optional<std::string> print_wait_options(const CallView& c, size_t i) {
    return format_flags(kWaitOptions, uint32_t(c.arg(i)), "W???");
}
std::optional<std::string> print_rseq_flags(const CallView& c, size_t i) {
    return format_flags(kRseqFlags, uint32_t(c.arg(i)), "RSEQ_FLAG_???");
}

}  // namespace

std::string format_open_flags(uint64_t flags) {
    std::string out = std::string(*xlat_find(kOpenAccessModes, flags & kAccMode));
    if (const uint64_t rest = flags & ~kAccMode; rest != 0) out += "|" + format_flags(kOpenModeFlags, rest, "");
    return out;
}

std::string format_statx_mask(uint64_t mask) { return format_flags(kStatxMasks, mask, "STATX_???"); }

std::string format_fd_flags(uint64_t flags) { return format_flags(kFdFlags, flags, "FD_???"); }

// arch_prctl's second argument is an output only for the GET codes; print it at exit.
const ArgKind kArchPrctlAddr{When::ExitAlways, print_arch_prctl_addr};
const ArgKind kOpenFlags{When::Entry, print_open_flags};
const ArgKind kOpenMode{When::Entry, print_open_mode};
const ArgKind kOpenBits{When::Entry, print_open_bits};
const ArgKind kProt{When::Entry, print_prot};
const ArgKind kMmapFlags{When::Entry, print_mmap_flags};
const ArgKind kMadvise{When::Entry, print_madvise};
const ArgKind kMremapFlags{When::Entry, print_mremap_flags};
const ArgKind kMremapAddr{When::Entry, print_mremap_addr};
const ArgKind kAtFlags{When::Entry, print_at_flags};
const ArgKind kFaccessFlags{When::Entry, print_faccess_flags};
const ArgKind kStatxFlags{When::Entry, print_statx_flags};
const ArgKind kStatxMask{When::Entry, print_statx_mask};
const ArgKind kAccessMode{When::Entry, print_access_mode};
const ArgKind kWhence{When::Entry, print_whence};
const ArgKind kFcntlCmd{When::Entry, print_fcntl_cmd};
const ArgKind kFcntlArg{When::Entry, print_fcntl_arg};
const ArgKind kRenameFlags{When::Entry, print_rename_flags};
const ArgKind kGrndFlags{When::Entry, print_grnd_flags};
const ArgKind kClockId{When::Entry, print_clock_id};
const ArgKind kTimerFlags{When::Entry, print_timer_flags};
const ArgKind kResource{When::Entry, print_resource};
const ArgKind kArchPrctlCode{When::Entry, print_arch_prctl_code};
const ArgKind kWaitOptions{When::Entry, print_wait_options};
const ArgKind kRseqFlags{When::Entry, print_rseq_flags};

}  // namespace sysentry::decode
