// The System V x86-64 initial process stack, laid out the way Linux's
// execve does it (fs/exec.c copies the strings, fs/binfmt_elf.c
// create_elf_tables() adds the rest). From high to low addresses:
//
//   stack_top - 8 .. stack_top   8 zero bytes (Linux starts at vm_end - sizeof(void*))
//   execfn string                (AT_EXECFN points here)
//   envp strings, argv strings   (argv[0] lowest; each NUL-terminated)
//   -- align down to 16 --
//   "x86_64\0"                   (AT_PLATFORM)
//   16 random bytes              (AT_RANDOM)
//   -- padding so that rsp ends 16-byte aligned --
//   auxv pairs ... AT_NULL
//   envp[0..n-1], NULL
//   argv[0..n-1], NULL
//   argc                         <- rsp
#pragma once
#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sysentry {

// Values for the auxiliary vector; the loader fills them from the ElfImage.
struct AuxvInput {
    uint64_t phdr = 0;
    uint64_t phent = 56;        // sizeof(Elf64_Phdr)
    uint64_t phnum = 0;
    uint64_t entry = 0;
    uint64_t base = 0;          // interpreter load address: 0 for static programs
    uint64_t hwcap = 0;
    uint64_t hwcap2 = 0;
    uint64_t clktck = 100;      // USER_HZ, the unit of times()
    uint64_t pagesz = 4096;
    uint64_t uid = 0;
    uint64_t euid = 0;
    uint64_t gid = 0;
    uint64_t egid = 0;
    uint64_t secure = 0;
    uint64_t minsigstksz = 0;
    uint64_t sysinfo_ehdr = 0;  // the vDSO's address; 0: no vDSO, no AT_SYSINFO_EHDR
};

struct InitialStack {
    uint64_t rsp = 0;           // points at argc; 16-byte aligned
    uint64_t bottom = 0;        // address of bytes[0] (== rsp)
    std::vector<uint8_t> bytes; // bottom + bytes.size() == stack_top
    uint64_t argv_addr = 0;     // &argv[0]
    uint64_t envp_addr = 0;     // &envp[0]
    uint64_t auxv_addr = 0;     // first auxv pair
    uint64_t random_addr = 0;   // the 16 AT_RANDOM bytes
    uint64_t execfn_addr = 0;   // AT_EXECFN string
};

// Linux's MAX_ARG_STRLEN: one argv/envp string may be at most 32 pages.
inline constexpr size_t kMaxArgStrlen = 32 * 4096;
inline constexpr std::string_view kPlatform = "x86_64";

// Fails with E2BIG when a string exceeds kMaxArgStrlen or the strings plus
// the argv/envp pointer arrays exceed `max_bytes` (Linux uses a quarter of
// the stack rlimit), or when the image would not fit below stack_top; with
// EINVAL when a string contains a NUL (it could not be passed to execve).
std::expected<InitialStack, int> build_initial_stack(uint64_t stack_top,
                                                     std::span<const std::string> argv,
                                                     std::span<const std::string> envp,
                                                     const std::string& execfn, const AuxvInput& aux,
                                                     std::span<const uint8_t, 16> random_bytes,
                                                     size_t max_bytes);

// The limits build_initial_stack enforces, alone: 0, E2BIG or EINVAL. execve
// checks them before its point of no return, as Linux's copy_strings() does.
int check_argument_limits(std::span<const std::string> argv, std::span<const std::string> envp,
                          const std::string& execfn, size_t max_bytes);

// Reads (type, value) pairs starting at `offset` in `bytes` up to and
// excluding AT_NULL; stops early (without AT_NULL) at the end of the bytes.
std::vector<std::pair<uint64_t, uint64_t>> parse_auxv(std::span<const uint8_t> bytes, size_t offset = 0);

// "AT_PHDR" for 3, ...; "AT_???" for types we do not know.
std::string_view auxv_name(uint64_t type);

}  // namespace sysentry
