#pragma once
// The catalogue of Linux x86 system calls: number <-> name <-> kernel entry
// point, for the three ABIs a 64-bit x86 kernel serves.
//
// The data lives in Linux's own table format under
// kernel_model/syscalls/table/ (syscall_64.tbl, syscall_32.tbl) and is turned
// into an X-macro include at build time by cmake/GenerateSyscallTable.cmake.
// Adding a syscall is one row in the .tbl file; nothing here changes.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sysentry {

// x86_64: SYSCALL from 64-bit code. x32: SYSCALL from 64-bit code with
// kX32SyscallBit set in RAX (ILP32 programs). i386: INT 0x80 / SYSENTER.
enum class SyscallAbi : uint8_t { x86_64, x32, i386 };

// __X32_SYSCALL_BIT: the kernel tells x32 callers apart by this bit in RAX.
// Catalogue numbers for x32 are stored without it.
inline constexpr uint64_t kX32SyscallBit = uint64_t{1} << 30;  // 0x40000000

// "x86_64", "x32" or "i386".
std::string_view to_string(SyscallAbi abi);

struct SyscallEntry {
  SyscallAbi abi;
  int nr;                  // without kX32SyscallBit
  std::string_view name;   // e.g. "write"
  std::string_view entry;  // kernel function, e.g. "sys_write"; reserved numbers use "sys_ni_syscall"
};

// Every row: x86_64, then x32, then i386, each in ascending number order.
std::span<const SyscallEntry> syscall_catalogue();

// The row for (abi, nr), or nullptr if that number is unassigned (a hole or
// out of range). Constant time.
const SyscallEntry* find_syscall(SyscallAbi abi, int nr);

// The number of the syscall called `name` in `abi`, if it exists there.
std::optional<int> syscall_number(SyscallAbi abi, std::string_view name);

// Highest assigned number in `abi` (without kX32SyscallBit).
int max_syscall_nr(SyscallAbi abi);

// strace's classes of system calls (-e trace=%file, ...), one bit each; the
// membership is strace's own, in kernel_model/syscalls/table/strace_classes.inc.
enum SyscallClass : uint32_t {
  kClassDesc = 1u << 0, kClassFile = 1u << 1, kClassIpc = 1u << 2, kClassNetwork = 1u << 3,
  kClassProcess = 1u << 4, kClassSignal = 1u << 5, kClassMemory = 1u << 6, kClassCreds = 1u << 7,
  kClassClock = 1u << 8, kClassPure = 1u << 9, kClassStat = 1u << 10, kClassLstat = 1u << 11,
  kClassFstat = 1u << 12, kClassStatLike = 1u << 13, kClassStatfs = 1u << 14, kClassFstatfs = 1u << 15,
  kClassStatfsLike = 1u << 16,
};

// The classes of the x86-64 call `name`; 0 when it is in none.
uint32_t strace_classes(std::string_view name);
// A class by strace's name without the '%' ("file", "network", "%stat"), or nullopt.
std::optional<uint32_t> strace_class(std::string_view name);

}  // namespace sysentry
