// A validated view of a static x86-64 ELF executable, parsed from raw bytes.
// The parser is the only code that touches untrusted file contents, so it
// bounds-checks every offset and size: whatever it returns, the loader can
// copy segments into guest memory without further checks (apart from adding
// the load bias of a position-independent image).
#pragma once
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sysentry {

struct ElfSegment {
    uint64_t vaddr = 0;        // unbiased (as written in the file)
    uint64_t memsz = 0;
    uint64_t file_offset = 0;
    uint64_t filesz = 0;       // <= memsz; the rest is zero-filled (.bss)
    bool readable = false;
    bool writable = false;
    bool executable = false;
};

struct ElfSymbol {
    std::string name;
    uint64_t value = 0;        // unbiased address
    uint64_t size = 0;
    bool is_function = false;  // STT_FUNC; otherwise STT_OBJECT
};

struct ElfImage {
    uint16_t type = 0;                 // ET_EXEC or ET_DYN (static-pie)
    bool position_independent = false; // ET_DYN: the loader adds a load bias
    uint64_t entry = 0;
    // Where the program headers sit in memory (for AT_PHDR): PT_PHDR, else
    // derived from the PT_LOAD whose file bytes cover e_phoff, else 0 (not
    // mapped; Linux then also passes 0 and libc finds them via __ehdr_start).
    uint64_t phdr_vaddr = 0;
    uint16_t phent = 0;
    uint16_t phnum = 0;
    std::vector<ElfSegment> loads;     // PT_LOAD, in file order
    std::optional<uint64_t> tls_memsz; // set when PT_TLS is present
    bool executable_stack = false;     // PT_GNU_STACK has PF_X (absent: no, as on x86-64 Linux)
    std::vector<ElfSymbol> symbols;    // named FUNC/OBJECT symbols; empty if stripped
};

enum class ElfError {
    Empty,
    Truncated,
    NotElf,
    Not64Bit,
    BigEndian,
    WrongMachine,
    NotExecutable,
    BadProgramHeaders,
    TooManyProgramHeaders,
    SegmentOutsideFile,
    OverlappingSegments,
    EntryOutsideSegments,
    BadAlignment,
    DynamicallyLinked,
    AddressOverflow,
    NoLoadableSegments,
};

// Limits, chosen to keep hostile input cheap to reject.
inline constexpr uint16_t kMaxProgramHeaders = 128;
inline constexpr uint64_t kElfPageSize = 4096;
// Linux's TASK_SIZE_MAX on x86-64 with 4-level paging: the lower canonical
// half (1 << 47) minus one guard page. Segments must end at or below it.
inline constexpr uint64_t kUserAddressEnd = (uint64_t{1} << 47) - kElfPageSize;

std::string_view describe(ElfError error);

// True when the bytes start with the ELF magic "\x7fELF" (any class/machine).
bool is_elf(std::span<const uint8_t> bytes);

// A user program must lie below kUserAddressEnd; the guest kernel image must
// lie wholly in the canonical high half.
enum class ElfTarget { user, kernel };
inline constexpr uint64_t kKernelHalfStart = 0xffff800000000000;

std::expected<ElfImage, ElfError> parse_elf(std::span<const uint8_t> bytes,
                                            ElfTarget target = ElfTarget::user);

// Symbol lookups for tools ("break main", "in printf+0x12"). Addresses are
// unbiased; nullptr when nothing matches.
const ElfSymbol* find_symbol(const ElfImage& image, std::string_view name);
const ElfSymbol* symbol_containing(const ElfImage& image, uint64_t address);

}  // namespace sysentry
