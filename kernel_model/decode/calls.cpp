// Argument kinds specific to one multiplexing call: futex, clone, ioctl.
#include <fmt/format.h>

#include "kinds.hpp"

namespace sysentry::decode {
namespace {

// ---- futex ------------------------------------------------------------------

constexpr uint64_t kFutexPrivate = 128;
constexpr uint64_t kFutexClockRealtime = 256;
constexpr uint32_t kFutexBitsetMatchAny = 0xffffffff;
enum FutexCmd : uint64_t {
    kFutexWait = 0, kFutexWake = 1, kFutexRequeue = 3, kFutexCmpRequeue = 4, kFutexWakeOp = 5,
    kFutexLockPi = 6, kFutexUnlockPi = 7, kFutexTrylockPi = 8, kFutexWaitBitset = 9,
    kFutexWakeBitset = 10, kFutexWaitRequeuePi = 11, kFutexCmpRequeuePi = 12, kFutexLockPi2 = 13,
};
constexpr XlatEntry kFutexCmds[] = {
    {0, "FUTEX_WAIT"},          {1, "FUTEX_WAKE"},          {2, "FUTEX_FD"},
    {3, "FUTEX_REQUEUE"},       {4, "FUTEX_CMP_REQUEUE"},   {5, "FUTEX_WAKE_OP"},
    {6, "FUTEX_LOCK_PI"},       {7, "FUTEX_UNLOCK_PI"},     {8, "FUTEX_TRYLOCK_PI"},
    {9, "FUTEX_WAIT_BITSET"},   {10, "FUTEX_WAKE_BITSET"},  {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"}, {13, "FUTEX_LOCK_PI2"},
};

uint64_t futex_cmd(const CallView& c) {
    return uint32_t(c.arg(1)) & ~(kFutexPrivate | kFutexClockRealtime);
}

std::optional<std::string> print_futex_op(const CallView& c, size_t i) {
    const uint32_t op = uint32_t(c.arg(i));
    const uint64_t cmd = futex_cmd(c);
    auto name = xlat_find(kFutexCmds, cmd);
    if (!name) return fmt::format("{} /* FUTEX_??? */", hex(op));
    std::string out(*name);
    if (op & kFutexPrivate) out += "_PRIVATE";
    if (op & kFutexClockRealtime) out += "|FUTEX_CLOCK_REALTIME";
    return out;
}

std::optional<std::string> print_futex_val(const CallView& c, size_t i) {
    switch (futex_cmd(c)) {
        case kFutexLockPi: case kFutexLockPi2: case kFutexUnlockPi: case kFutexTrylockPi:
            return std::nullopt;
        default: return fmt::format("{}", uint32_t(c.arg(i)));
    }
}

// Argument 3 is a timeout for the waiting commands and a count for requeueing.
std::optional<std::string> print_futex_val2(const CallView& c, size_t i) {
    switch (futex_cmd(c)) {
        case kFutexWait: case kFutexWaitBitset: case kFutexLockPi: case kFutexLockPi2:
        case kFutexWaitRequeuePi:
            return format_timespec(c.mem, c.arg(i));
        case kFutexRequeue: case kFutexCmpRequeue: case kFutexCmpRequeuePi: case kFutexWakeOp:
            return fmt::format("{}", uint32_t(c.arg(i)));
        default: return std::nullopt;
    }
}

std::optional<std::string> print_futex_uaddr2(const CallView& c, size_t i) {
    switch (futex_cmd(c)) {
        case kFutexRequeue: case kFutexCmpRequeue: case kFutexCmpRequeuePi: case kFutexWakeOp:
        case kFutexWaitRequeuePi:
            return addr(c.arg(i));
        default: return std::nullopt;
    }
}

std::optional<std::string> print_futex_val3(const CallView& c, size_t i) {
    const uint32_t v = uint32_t(c.arg(i));
    switch (futex_cmd(c)) {
        case kFutexWaitBitset: case kFutexWakeBitset:
            return v == kFutexBitsetMatchAny ? std::string("FUTEX_BITSET_MATCH_ANY") : hex(v);
        case kFutexCmpRequeue: case kFutexCmpRequeuePi: return fmt::format("{}", v);
        case kFutexWakeOp: return hex(v);
        default: return std::nullopt;
    }
}

// ---- clone (x86-64 order: flags, stack, parent_tid, child_tid, tls) ---------

constexpr uint64_t kCsignal = 0xff;
constexpr uint64_t kCloneSettls = 0x00080000;
constexpr uint64_t kCloneParentSettid = 0x00100000;
constexpr uint64_t kCloneChildCleartid = 0x00200000;
constexpr uint64_t kCloneChildSettid = 0x01000000;
constexpr uint64_t kClonePidfd = 0x00001000;
constexpr XlatEntry kCloneFlags[] = {
    {0x100, "CLONE_VM"},          {0x200, "CLONE_FS"},           {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},     {0x1000, "CLONE_PIDFD"},       {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},      {0x8000, "CLONE_PARENT"},      {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},     {0x40000, "CLONE_SYSVSEM"},    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"}, {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x800000, "CLONE_UNTRACED"}, {0x1000000, "CLONE_CHILD_SETTID"}, {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},  {0x8000000, "CLONE_NEWIPC"},   {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"}, {0x40000000, "CLONE_NEWNET"},  {0x80000000, "CLONE_IO"},
};

std::string format_clone_flags(uint64_t flags) {
    const uint64_t sig = flags & kCsignal;
    const uint64_t rest = flags & ~kCsignal;
    if (rest == 0) return sig == 0 ? "0" : signal_name(int(sig));
    std::string out = format_flags(kCloneFlags, rest, "CLONE_???");
    if (sig != 0) out += "|" + signal_name(int(sig));
    return out;
}

std::optional<std::string> print_clone_stack_flags(const CallView& c, size_t) {
    return fmt::format("child_stack={}, flags={}", addr(c.arg(1)), format_clone_flags(c.arg(0)));
}

// The tid pointers only matter (and are only shown) when a flag uses them.
std::optional<std::string> print_clone_tids(const CallView& c, size_t) {
    const uint64_t flags = c.arg(0);
    std::string out;
    auto add = [&out](std::string_view field, const std::string& v) {
        out += out.empty() ? "" : ", ";
        out += fmt::format("{}={}", field, v);
    };
    if (flags & (kCloneParentSettid | kClonePidfd)) {
        auto tid = c.failed() ? std::nullopt : c.mem.read_value<int32_t>(c.arg(2));
        add("parent_tid", tid ? fmt::format("[{}]", *tid) : addr(c.arg(2)));
    }
    if (flags & kCloneSettls) add("tls", addr(c.arg(4)));
    if (flags & (kCloneChildSettid | kCloneChildCleartid)) add("child_tidptr", addr(c.arg(3)));
    if (out.empty()) return std::nullopt;
    return out;
}

// ---- ioctl ------------------------------------------------------------------

enum IoctlCmd : uint64_t {
    kTcgets = 0x5401, kTcsets = 0x5402, kTcsetsw = 0x5403, kTcsetsf = 0x5404,
    kTiocsctty = 0x540E, kTiocgpgrp = 0x540F, kTiocspgrp = 0x5410, kTiocgwinsz = 0x5413,
    kTiocswinsz = 0x5414, kFionread = 0x541B, kTiocnotty = 0x5422, kFionbio = 0x5421,
    kFionclex = 0x5450, kFioclex = 0x5451, kTiocgptn = 0x80045430, kTiocsptlck = 0x40045431,
};
// strace cannot tell OSS sequencer codes from tty codes: it names both.
constexpr XlatEntry kIoctlNames[] = {
    {kTcgets, "TCGETS"},
    {kTcsets, "SNDCTL_TMR_START or TCSETS"},
    {kTcsetsw, "SNDCTL_TMR_STOP or TCSETSW"},
    {kTcsetsf, "SNDCTL_TMR_CONTINUE or TCSETSF"},
    {kTiocsctty, "TIOCSCTTY"}, {kTiocgpgrp, "TIOCGPGRP"}, {kTiocspgrp, "TIOCSPGRP"},
    {kTiocgwinsz, "TIOCGWINSZ"}, {kTiocswinsz, "TIOCSWINSZ"}, {kFionread, "FIONREAD"},
    {kTiocnotty, "TIOCNOTTY"}, {kFionbio, "FIONBIO"}, {kFionclex, "FIONCLEX"},
    {kFioclex, "FIOCLEX"}, {kTiocgptn, "TIOCGPTN"}, {kTiocsptlck, "TIOCSPTLCK"},
};

// <asm-generic/ioctl.h>: nr 8 bits, type 8 bits, size 14 bits, dir 2 bits.
std::string format_ioc(uint64_t cmd) {
    constexpr std::string_view kDirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"};
    const uint64_t nr = cmd & 0xff, type = (cmd >> 8) & 0xff, size = (cmd >> 16) & 0x3fff;
    const uint64_t dir = (cmd >> 30) & 3;
    return fmt::format("_IOC({}, {}, {}, {})", kDirs[dir], hex(type), hex(nr), hex(size));
}

std::optional<std::string> print_ioctl_cmd(const CallView& c, size_t i) {
    const uint64_t cmd = uint32_t(c.arg(i));
    if (auto name = xlat_find(kIoctlNames, cmd)) return std::string(*name);
    return format_ioc(cmd);
}

// struct termios (asm-generic/termbits.h): four tcflag_t then c_line, c_cc[19].
struct KernelTermios {
    uint32_t iflag, oflag, cflag, lflag;
};
constexpr XlatEntry kTermIflags[] = {
    {01, "IGNBRK"}, {02, "BRKINT"}, {04, "IGNPAR"}, {010, "PARMRK"}, {020, "INPCK"},
    {040, "ISTRIP"}, {0100, "INLCR"}, {0200, "IGNCR"}, {0400, "ICRNL"}, {01000, "IUCLC"},
    {02000, "IXON"}, {04000, "IXANY"}, {010000, "IXOFF"}, {020000, "IMAXBEL"}, {040000, "IUTF8"},
};
constexpr XlatEntry kTermOflags[] = {
    {01, "OPOST"}, {02, "OLCUC"}, {04, "ONLCR"}, {010, "OCRNL"},
    {020, "ONOCR"}, {040, "ONLRET"}, {0100, "OFILL"}, {0200, "OFDEL"},
};
constexpr XlatEntry kTermCflags[] = {
    {0100, "CSTOPB"}, {0200, "CREAD"}, {0400, "PARENB"}, {01000, "PARODD"},
    {02000, "HUPCL"}, {04000, "CLOCAL"}, {010000000000, "CMSPAR"}, {020000000000, "CRTSCTS"},
};
constexpr XlatEntry kTermLflags[] = {
    {01, "ISIG"}, {02, "ICANON"}, {04, "XCASE"}, {010, "ECHO"}, {020, "ECHOE"}, {040, "ECHOK"},
    {0100, "ECHONL"}, {0200, "NOFLSH"}, {0100000, "IEXTEN"}, {01000, "ECHOCTL"}, {02000, "ECHOPRT"},
    {04000, "ECHOKE"}, {010000, "FLUSHO"}, {040000, "PENDIN"}, {0400, "TOSTOP"}, {0200000, "EXTPROC"},
};
constexpr XlatEntry kBauds[] = {
    {0, "B0"}, {1, "B50"}, {2, "B75"}, {3, "B110"}, {4, "B134"}, {5, "B150"}, {6, "B200"},
    {7, "B300"}, {010, "B600"}, {011, "B1200"}, {012, "B1800"}, {013, "B2400"}, {014, "B4800"},
    {015, "B9600"}, {016, "B19200"}, {017, "B38400"}, {010000, "BOTHER"}, {010001, "B57600"},
    {010002, "B115200"}, {010003, "B230400"}, {010004, "B460800"}, {010005, "B500000"},
    {010006, "B576000"}, {010007, "B921600"}, {010010, "B1000000"}, {010011, "B1152000"},
    {010012, "B1500000"}, {010013, "B2000000"}, {010014, "B2500000"}, {010015, "B3000000"},
    {010016, "B3500000"}, {010017, "B4000000"},
};
constexpr uint32_t kCbaud = 010017;
constexpr uint32_t kCsize = 060;

// strace prints flag words empty when zero, and multi-bit fields each
// followed by '|' even when nothing comes after them.
std::string term_flags(Xlat table, uint32_t v) { return v == 0 ? "" : format_flags(table, v, "???"); }

std::string format_termios(const KernelTermios& t) {
    constexpr uint32_t kDelayMask = 0177400;  // NLDLY|CRDLY|TABDLY|BSDLY|VTDLY|FFDLY
    const uint32_t o = t.oflag;
    const std::string oflag = fmt::format("NL{}|CR{}|TAB{}|BS{}|VT{}|FF{}|", (o >> 8) & 1, (o >> 9) & 3,
                                          (o >> 11) & 3, (o >> 13) & 1, (o >> 14) & 1, (o >> 15) & 1) +
                              term_flags(kTermOflags, o & ~kDelayMask);
    const std::string cflag = format_xval(kBauds, t.cflag & kCbaud, "B???") +
                              fmt::format("|CS{}|", 5 + ((t.cflag & kCsize) >> 4)) +
                              term_flags(kTermCflags, t.cflag & ~(kCbaud | kCsize));
    return fmt::format("{{c_iflag={}, c_oflag={}, c_cflag={}, c_lflag={}, ...}}",
                       term_flags(kTermIflags, t.iflag), oflag, cflag, term_flags(kTermLflags, t.lflag));
}

std::string read_termios(const CallView& c, uint64_t va) {
    auto t = c.mem.read_value<KernelTermios>(va);
    return t ? format_termios(*t) : addr(va);
}

std::string read_winsize(const CallView& c, uint64_t va) {
    auto w = c.mem.read_value<std::array<uint16_t, 4>>(va);
    if (!w) return addr(va);
    return fmt::format("{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}", (*w)[0], (*w)[1], (*w)[2], (*w)[3]);
}

std::string read_int(const CallView& c, uint64_t va) {
    auto v = c.mem.read_value<int32_t>(va);
    return v ? fmt::format("[{}]", *v) : addr(va);
}

// Printed at exit: inputs and outputs alike (outputs only after success).
std::optional<std::string> print_ioctl_arg(const CallView& c, size_t i) {
    const uint64_t va = c.arg(i);
    const bool ok = !c.failed();
    switch (uint32_t(c.arg(i - 1))) {
        case kTcgets: return ok ? read_termios(c, va) : addr(va);
        case kTcsets: case kTcsetsw: case kTcsetsf: return read_termios(c, va);
        case kTiocgwinsz: return ok ? read_winsize(c, va) : addr(va);
        case kTiocswinsz: return read_winsize(c, va);
        case kFionread: case kTiocgpgrp: case kTiocgptn: return ok ? read_int(c, va) : addr(va);
        case kTiocspgrp: case kFionbio: case kTiocsptlck: return read_int(c, va);
        case kFioclex: case kFionclex: case kTiocnotty: return std::nullopt;
        case kTiocsctty: return fmt::format("{}", int32_t(va));
        default: return hex(va);
    }
}

}  // namespace

const ArgKind kFutexOp{When::Entry, print_futex_op};
const ArgKind kFutexVal{When::Entry, print_futex_val};
const ArgKind kFutexVal2{When::Entry, print_futex_val2};
const ArgKind kFutexUaddr2{When::Entry, print_futex_uaddr2};
const ArgKind kFutexVal3{When::Entry, print_futex_val3};
const ArgKind kCloneStackFlags{When::Entry, print_clone_stack_flags};
const ArgKind kCloneTids{When::ExitAlways, print_clone_tids};
const ArgKind kIoctlCmd{When::Entry, print_ioctl_cmd};
const ArgKind kIoctlArg{When::ExitAlways, print_ioctl_arg};

}  // namespace sysentry::decode
