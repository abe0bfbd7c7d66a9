// Private vocabulary of the strace-format decoders: how one argument kind is
// printed and when, and the syscall table rows built from those kinds.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sysentry/user_memory.hpp"

namespace sysentry::decode {

// Largest errno the kernel returns: -4095..-1 in the return register is an error.
inline constexpr uint64_t kMaxErrno = 4095;

// One syscall as an argument printer sees it.
struct CallView {
    const std::array<uint64_t, 6>& args;
    const UserMemory& mem;
    int64_t ret = 0;  // meaningful only when exiting
    bool exiting = false;
    uint64_t sp = 0;  // the caller's RSP, at entry

    bool failed() const { return exiting && ret < 0 && ret >= -int64_t(kMaxErrno); }
    uint64_t arg(size_t i) const { return args[i]; }
    int32_t int_arg(size_t i) const { return int32_t(uint32_t(args[i])); }
};

// When strace prints an argument: inputs at entry; outputs at exit, where a
// failed call shows only the pointer; a few (clone's tids) at exit always.
enum class When : uint8_t { Entry, ExitOnSuccess, ExitAlways };

// Returns nullopt when strace leaves the argument out (open's mode without
// O_CREAT, fcntl's third argument for F_GETFL, ...).
using ArgPrinter = std::optional<std::string> (*)(const CallView& call, size_t index);

struct ArgKind {
    When when;
    ArgPrinter print;
};

// How the return value is shown on success.
enum class Ret : uint8_t {
    Dec,          // 3
    Hex,          // 0x7f1234 (mmap, brk)
    Octal,        // 022 (umask)
    None,         // ? (exit, exit_group)
    FcntlResult,  // 0x8001 (flags O_WRONLY|O_LARGEFILE)
    Time,         // 1700000000 (2023-11-14T22:13:20+0000)
    Poll,         // 1 ([{fd=3, revents=POLLIN}]), 0 (Timeout)
    Ppoll,        // as Poll, then ", left {tv_sec=0, tv_nsec=...}"
    Select,       // 1 (in [3], left {tv_sec=0, tv_usec=...})
    Pselect6,     // as Select, the time left a timespec
};

struct SyscallRow {
    std::string_view name;
    std::array<const ArgKind*, 6> args;  // unused slots are nullptr
    Ret ret = Ret::Dec;

    size_t nargs() const {
        size_t n = 0;
        while (n < args.size() && args[n] != nullptr) ++n;
        return n;
    }
};

const SyscallRow* find_row(std::string_view name);

// ---- shared helpers (format.cpp) -------------------------------------------

// C's "%#x": 0 prints as "0", everything else as 0x... in lower case.
std::string hex(uint64_t v);
// strace's printaddr: NULL or hex.
std::string addr(uint64_t v);
// Formats the kernel return value ("= " not included), errors included.
std::string format_result(Ret kind, const std::array<uint64_t, 6>& args, int64_t ret);
// The success value of a call whose result reads memory (poll, select: what is
// ready), or nullopt for every other kind and for errors (multiplex.cpp).
std::optional<std::string> format_aux_result(Ret kind, const CallView& call);

// ---- strings (strings.cpp) -------------------------------------------------

// strace's string_quote: the bytes in double quotes, escaped.
std::string quote(std::string_view bytes, bool force_hex = false);
// A buffer of `len` bytes: at most kStraceMaxStrlen shown, then "...".
std::string format_buffer(const UserMemory& mem, uint64_t va, uint64_t len,
                          bool force_hex = false);
// A NUL-terminated string, at most `limit` bytes shown, then "...".
std::string format_cstring(const UserMemory& mem, uint64_t va, size_t limit);

// "{tv_sec=1, tv_nsec=500}", NULL, or the address when unreadable (structs.cpp).
std::string format_timespec(const UserMemory& mem, uint64_t va);

// ---- lookup tables (xlat.cpp) ----------------------------------------------

struct XlatEntry {
    uint64_t value;
    std::string_view name;
};
using Xlat = std::span<const XlatEntry>;

std::optional<std::string_view> xlat_find(Xlat table, uint64_t value);
// A value out of an enumeration: its name, else "0x7 /* SEEK_??? */".
std::string format_xval(Xlat table, uint64_t value, std::string_view unknown);
// Or'ed flags in table order, leftover bits in hex; "0" when empty unless
// the table has a zero-valued name; "0x10000 /* AT_??? */" when nothing is known
// (plain hex when `unknown` is empty: the value continues an earlier field).
std::string format_flags(Xlat table, uint64_t flags, std::string_view unknown);

// ---- signals (signals.cpp) -------------------------------------------------

std::string signal_name(int sig);
// "[INT TERM]", "~[KILL STOP]"; `bytes` of mask read from the tracee.
std::string format_sigset(uint64_t mask, size_t bytes = 8);

// ---- errno (errno.cpp) -----------------------------------------------------

struct ErrnoInfo {
    std::string_view name;
    std::string_view description;
};
std::optional<ErrnoInfo> errno_info(uint64_t err);

}  // namespace sysentry::decode
