// Structures read from tracee memory, abbreviated as strace does without -v.
#include <fmt/format.h>

#include <cstring>

#include "flags.hpp"
#include "kinds.hpp"

namespace sysentry::decode {
namespace {

// x86-64 kernel layouts (struct stat from asm/stat.h, struct statx from linux/stat.h).
struct KernelStat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t times[6];
    int64_t unused[3];
};
static_assert(sizeof(KernelStat) == 144);

struct KernelStatx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    uint8_t rest[256 - 64];
};
static_assert(sizeof(KernelStatx) == 256);

struct Timespec { int64_t sec, nsec; };
struct Rlimit64 { uint64_t cur, max; };
constexpr uint64_t kRlim64Infinity = ~uint64_t{0};

struct Sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint32_t pad2;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    uint32_t pad3;
};
static_assert(sizeof(Sysinfo) == 112);

constexpr size_t kUtsFieldLen = 65;  // __NEW_UTS_LEN + 1

constexpr uint32_t kSIfmt = 0170000;
constexpr uint32_t kSIfchr = 0020000;
constexpr uint32_t kSIfblk = 0060000;
constexpr XlatEntry kFileTypes[] = {
    {0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"}, {0060000, "S_IFBLK"},
    {0040000, "S_IFDIR"},  {0020000, "S_IFCHR"}, {0010000, "S_IFIFO"},
};
constexpr XlatEntry kModeBits[] = {{04000, "S_ISUID"}, {02000, "S_ISGID"}, {01000, "S_ISVTX"}};

constexpr XlatEntry kStatxAttrs[] = {
    {0x4, "STATX_ATTR_COMPRESSED"}, {0x10, "STATX_ATTR_IMMUTABLE"}, {0x20, "STATX_ATTR_APPEND"},
    {0x40, "STATX_ATTR_NODUMP"},    {0x800, "STATX_ATTR_ENCRYPTED"}, {0x1000, "STATX_ATTR_AUTOMOUNT"},
    {0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"}, {0x200000, "STATX_ATTR_DAX"},
};

// "S_IFREG|S_ISUID|0755": type name, special bits, permission bits in octal.
std::string format_mode(uint32_t mode) {
    std::string out;
    if (auto t = xlat_find(kFileTypes, mode & kSIfmt)) out = std::string(*t) + "|";
    else if ((mode & kSIfmt) != 0) out = fmt::format("{:#o}|", mode & kSIfmt);
    for (const auto& e : kModeBits)
        if (mode & e.value) out += std::string(e.name) + "|";
    return out + fmt::format("{:#03o}", mode & 0777);
}

// glibc's gnu_dev_major/minor split of a 64-bit dev_t.
std::string format_makedev(uint64_t dev) {
    const uint64_t major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~uint64_t{0xfff});
    const uint64_t minor = (dev & 0xff) | ((dev >> 12) & ~uint64_t{0xff});
    return fmt::format("makedev({}, {})", hex(major), hex(minor));
}

template <class T> std::optional<T> read_out(const CallView& c, size_t i) {
    return c.mem.read_value<T>(c.arg(i));
}

std::optional<std::string> print_stat(const CallView& c, size_t i) {
    auto st = read_out<KernelStat>(c, i);
    if (!st) return addr(c.arg(i));
    const uint32_t type = st->st_mode & kSIfmt;
    const std::string second = (type == kSIfchr || type == kSIfblk)
                                   ? "st_rdev=" + format_makedev(st->st_rdev)
                                   : fmt::format("st_size={}", st->st_size);
    return fmt::format("{{st_mode={}, {}, ...}}", format_mode(st->st_mode), second);
}

std::optional<std::string> print_statx(const CallView& c, size_t i) {
    auto sx = read_out<KernelStatx>(c, i);
    if (!sx) return addr(c.arg(i));
    return fmt::format("{{stx_mask={}, stx_attributes={}, stx_mode={}, stx_size={}, ...}}",
                       format_statx_mask(sx->stx_mask),
                       format_flags(kStatxAttrs, sx->stx_attributes, "STATX_ATTR_???"),
                       format_mode(sx->stx_mode), sx->stx_size);
}

std::optional<std::string> print_timespec(const CallView& c, size_t i) {
    return format_timespec(c.mem, c.arg(i));
}

// nanosleep's remainder is written only when a signal interrupts the sleep.
std::optional<std::string> print_timespec_rem(const CallView& c, size_t i) {
    constexpr int64_t kEintr = 4, kErestartRestartBlock = 516;
    if (c.ret == -kEintr || c.ret == -kErestartRestartBlock) return format_timespec(c.mem, c.arg(i));
    return addr(c.arg(i));
}

std::optional<std::string> print_timeval(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto tv = read_out<Timespec>(c, i);
    if (!tv) return addr(c.arg(i));
    return fmt::format("{{tv_sec={}, tv_usec={}}}", tv->sec, tv->nsec);
}

std::optional<std::string> print_timezone(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto tz = read_out<std::array<int32_t, 2>>(c, i);
    if (!tz) return addr(c.arg(i));
    return fmt::format("{{tz_minuteswest={}, tz_dsttime={}}}", (*tz)[0], (*tz)[1]);
}

std::optional<std::string> print_time_out(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto t = read_out<int64_t>(c, i);
    if (!t) return addr(c.arg(i));
    return fmt::format("[{} /* {} */]", *t, format_time_comment(*t));
}

// 8388608 is shown as 8192*1024, as strace does for multiples of 1K.
std::string format_rlim(uint64_t v) {
    if (v == kRlim64Infinity) return "RLIM64_INFINITY";
    if (v > 1024 && v % 1024 == 0) return fmt::format("{}*1024", v / 1024);
    return fmt::format("{}", v);
}

std::optional<std::string> print_rlimit(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto r = read_out<Rlimit64>(c, i);
    if (!r) return addr(c.arg(i));
    return fmt::format("{{rlim_cur={}, rlim_max={}}}", format_rlim(r->cur), format_rlim(r->max));
}

std::optional<std::string> print_utsname(const CallView& c, size_t i) {
    char f[2][kUtsFieldLen + 1] = {};
    if (!c.mem.read(c.arg(i), f[0], kUtsFieldLen) ||
        !c.mem.read(c.arg(i) + kUtsFieldLen, f[1], kUtsFieldLen))
        return addr(c.arg(i));
    return fmt::format("{{sysname={}, nodename={}, ...}}", quote(f[0]), quote(f[1]));
}

std::optional<std::string> print_sysinfo(const CallView& c, size_t i) {
    auto s = read_out<Sysinfo>(c, i);
    if (!s) return addr(c.arg(i));
    return fmt::format(
        "{{uptime={}, loads=[{}, {}, {}], totalram={}, freeram={}, sharedram={}, bufferram={}, "
        "totalswap={}, freeswap={}, procs={}, totalhigh={}, freehigh={}, mem_unit={}}}",
        s->uptime, s->loads[0], s->loads[1], s->loads[2], s->totalram, s->freeram, s->sharedram,
        s->bufferram, s->totalswap, s->freeswap, s->procs, s->totalhigh, s->freehigh, s->mem_unit);
}

std::optional<std::string> print_rusage(const CallView& c, size_t i) {
    if (c.arg(i) == 0) return "NULL";
    auto ru = read_out<std::array<Timespec, 2>>(c, i);
    if (!ru) return addr(c.arg(i));
    return fmt::format("{{ru_utime={{tv_sec={}, tv_usec={}}}, ru_stime={{tv_sec={}, tv_usec={}}}, ...}}",
                       (*ru)[0].sec, (*ru)[0].nsec, (*ru)[1].sec, (*ru)[1].nsec);
}

// linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[]
std::optional<std::string> print_dirents(const CallView& c, size_t i) {
    constexpr uint64_t kReclenOffset = 16;
    const uint64_t len = uint64_t(c.ret);
    uint64_t entries = 0;
    for (uint64_t off = 0; off < len; ++entries) {
        uint16_t reclen = 0;
        if (!c.mem.read(c.arg(i) + off + kReclenOffset, &reclen, 2) || reclen == 0) break;
        off += reclen;
    }
    return fmt::format("{} /* {} entries */", addr(c.arg(i)), entries);
}

std::optional<std::string> print_pipe_fds(const CallView& c, size_t i) {
    auto fds = read_out<std::array<int32_t, 2>>(c, i);
    if (!fds) return addr(c.arg(i));
    return fmt::format("[{}, {}]", (*fds)[0], (*fds)[1]);
}

}  // namespace

std::string format_timespec(const UserMemory& mem, uint64_t va) {
    if (va == 0) return "NULL";
    auto ts = mem.read_value<Timespec>(va);
    if (!ts) return addr(va);
    return fmt::format("{{tv_sec={}, tv_nsec={}}}", ts->sec, ts->nsec);
}

const ArgKind kStatOut{When::ExitOnSuccess, print_stat};
const ArgKind kStatxOut{When::ExitOnSuccess, print_statx};
const ArgKind kTimespecIn{When::Entry, print_timespec};
const ArgKind kTimespecOut{When::ExitOnSuccess, print_timespec};
const ArgKind kTimespecRem{When::ExitAlways, print_timespec_rem};
const ArgKind kTimevalOut{When::ExitOnSuccess, print_timeval};
const ArgKind kTimezoneOut{When::ExitOnSuccess, print_timezone};
const ArgKind kTimeOut{When::ExitOnSuccess, print_time_out};
const ArgKind kRlimitIn{When::Entry, print_rlimit};
const ArgKind kRlimitOut{When::ExitOnSuccess, print_rlimit};
const ArgKind kUtsnameOut{When::ExitOnSuccess, print_utsname};
const ArgKind kSysinfoOut{When::ExitOnSuccess, print_sysinfo};
const ArgKind kRusageOut{When::ExitOnSuccess, print_rusage};
const ArgKind kDirentsOut{When::ExitOnSuccess, print_dirents};
const ArgKind kPipeFds{When::ExitOnSuccess, print_pipe_fds};

}  // namespace sysentry::decode
