// Parsing and validation of static x86-64 ELF executables (see elf_image.hpp).
// Every read goes through read_at(), which refuses ranges outside the buffer,
// so no input can make the parser touch memory it does not own.
#include "sysentry/elf_image.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

namespace sysentry {
namespace {

using Bytes = std::span<const uint8_t>;

// True when [offset, offset + size) lies inside a buffer of `total` bytes,
// without overflowing.
bool range_inside(uint64_t offset, uint64_t size, uint64_t total) {
    return offset <= total && size <= total - offset;
}

// Copies a T out of the buffer (ELF fields need not be aligned in our copy).
template <class T> std::optional<T> read_at(Bytes bytes, uint64_t offset) {
    if (!range_inside(offset, sizeof(T), bytes.size())) return std::nullopt;
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

bool is_power_of_two(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// e_ident first, so a short 32-bit or big-endian file is named as such
// rather than as "truncated".
std::expected<Elf64_Ehdr, ElfError> read_header(Bytes bytes) {
    if (bytes.empty()) return std::unexpected(ElfError::Empty);
    const size_t magic_len = std::min<size_t>(bytes.size(), SELFMAG);
    if (std::memcmp(bytes.data(), ELFMAG, magic_len) != 0) return std::unexpected(ElfError::NotElf);
    if (bytes.size() < EI_NIDENT) return std::unexpected(ElfError::Truncated);
    if (bytes[EI_CLASS] != ELFCLASS64) return std::unexpected(ElfError::Not64Bit);
    if (bytes[EI_DATA] != ELFDATA2LSB) return std::unexpected(ElfError::BigEndian);
    auto header = read_at<Elf64_Ehdr>(bytes, 0);
    if (!header) return std::unexpected(ElfError::Truncated);
    if (header->e_machine != EM_X86_64) return std::unexpected(ElfError::WrongMachine);
    if (header->e_type != ET_EXEC && header->e_type != ET_DYN)
        return std::unexpected(ElfError::NotExecutable);
    return *header;
}

std::expected<std::vector<Elf64_Phdr>, ElfError> read_program_headers(Bytes bytes,
                                                                      const Elf64_Ehdr& header) {
    // PN_XNUM (0xffff, count stored in section 0) also lands in "too many".
    if (header.e_phnum > kMaxProgramHeaders) return std::unexpected(ElfError::TooManyProgramHeaders);
    if (header.e_phnum == 0 || header.e_phentsize != sizeof(Elf64_Phdr))
        return std::unexpected(ElfError::BadProgramHeaders);
    const uint64_t table_size = uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
    if (!range_inside(header.e_phoff, table_size, bytes.size()))
        return std::unexpected(ElfError::BadProgramHeaders);
    std::vector<Elf64_Phdr> phdrs(header.e_phnum);
    std::memcpy(phdrs.data(), bytes.data() + header.e_phoff, table_size);
    return phdrs;
}

// Checks one PT_LOAD on its own; relations between segments come later.
bool address_range_allowed(uint64_t vaddr, uint64_t memsz, ElfTarget target) {
    if (target == ElfTarget::kernel) return vaddr >= kKernelHalfStart && memsz <= ~vaddr;
    return memsz <= kUserAddressEnd && vaddr <= kUserAddressEnd - memsz;
}

std::expected<ElfSegment, ElfError> check_load(const Elf64_Phdr& ph, uint64_t file_size, ElfTarget target) {
    if (ph.p_filesz > ph.p_memsz) return std::unexpected(ElfError::BadProgramHeaders);
    if (ph.p_filesz != 0 && !range_inside(ph.p_offset, ph.p_filesz, file_size))
        return std::unexpected(ElfError::SegmentOutsideFile);
    if (ph.p_align > 1 && !is_power_of_two(ph.p_align)) return std::unexpected(ElfError::BadAlignment);
    if (ph.p_align > 1 && ph.p_vaddr % ph.p_align != ph.p_offset % ph.p_align)
        return std::unexpected(ElfError::BadAlignment);
    // Linux mmaps file pages, so file offset and address must agree within a
    // page whatever p_align says (ld -N emits p_align 1 but keeps this).
    if (ph.p_filesz != 0 && ph.p_vaddr % kElfPageSize != ph.p_offset % kElfPageSize)
        return std::unexpected(ElfError::BadAlignment);
    if (!address_range_allowed(ph.p_vaddr, ph.p_memsz, target))
        return std::unexpected(ElfError::AddressOverflow);
    return ElfSegment{.vaddr = ph.p_vaddr,
                      .memsz = ph.p_memsz,
                      .file_offset = ph.p_offset,
                      .filesz = ph.p_filesz,
                      .readable = (ph.p_flags & PF_R) != 0,
                      .writable = (ph.p_flags & PF_W) != 0,
                      .executable = (ph.p_flags & PF_X) != 0};
}

// Byte ranges, not pages: linkers routinely end one segment and start the
// next inside the same 4 KiB page (e.g. ld -z noseparate-code, RELRO).
bool loads_overlap(std::vector<ElfSegment> loads) {
    std::erase_if(loads, [](const ElfSegment& s) { return s.memsz == 0; });
    std::ranges::sort(loads, {}, &ElfSegment::vaddr);
    for (size_t i = 1; i < loads.size(); ++i)
        if (loads[i - 1].vaddr + loads[i - 1].memsz > loads[i].vaddr) return true;
    return false;
}

bool entry_is_executable(const std::vector<ElfSegment>& loads, uint64_t entry) {
    return std::ranges::any_of(loads, [entry](const ElfSegment& s) {
        return s.executable && entry >= s.vaddr && entry - s.vaddr < s.memsz;
    });
}

// Mirrors Linux: PT_PHDR if present, else the PT_LOAD whose file bytes hold
// the whole table, else 0.
uint64_t phdr_address(const std::vector<Elf64_Phdr>& phdrs, const Elf64_Ehdr& header) {
    for (const auto& ph : phdrs)
        if (ph.p_type == PT_PHDR) return ph.p_vaddr;
    const uint64_t table_size = uint64_t{header.e_phnum} * sizeof(Elf64_Phdr);
    for (const auto& ph : phdrs) {
        if (ph.p_type != PT_LOAD || header.e_phoff < ph.p_offset) continue;
        const uint64_t skip = header.e_phoff - ph.p_offset;
        if (skip <= ph.p_filesz && table_size <= ph.p_filesz - skip) return ph.p_vaddr + skip;
    }
    return 0;
}

// NUL-terminated name at `index` inside the string table, or nullopt.
std::optional<std::string> string_at(Bytes strtab, uint64_t index) {
    if (index == 0 || index >= strtab.size()) return std::nullopt;
    const auto* start = strtab.data() + index;
    const auto* nul = static_cast<const uint8_t*>(std::memchr(start, 0, strtab.size() - index));
    if (nul == nullptr || nul == start) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(start), nul - start);
}

std::optional<Elf64_Shdr> section(Bytes bytes, const Elf64_Ehdr& header, uint64_t index) {
    if (index >= header.e_shnum) return std::nullopt;
    return read_at<Elf64_Shdr>(bytes, header.e_shoff + index * sizeof(Elf64_Shdr));
}

// Index of .symtab, else .dynsym; section headers are optional, so any
// inconsistency just means "no symbols".
std::optional<Elf64_Shdr> symbol_table(Bytes bytes, const Elf64_Ehdr& header) {
    if (header.e_shoff == 0 || header.e_shentsize != sizeof(Elf64_Shdr)) return std::nullopt;
    if (!range_inside(header.e_shoff, uint64_t{header.e_shnum} * sizeof(Elf64_Shdr), bytes.size()))
        return std::nullopt;
    for (uint32_t wanted : {SHT_SYMTAB, SHT_DYNSYM})
        for (uint64_t i = 0; i < header.e_shnum; ++i)
            if (auto sh = section(bytes, header, i); sh && sh->sh_type == wanted) return sh;
    return std::nullopt;
}

std::vector<ElfSymbol> read_symbols(Bytes bytes, const Elf64_Ehdr& header) {
    std::vector<ElfSymbol> symbols;
    auto symtab = symbol_table(bytes, header);
    if (!symtab || symtab->sh_entsize != sizeof(Elf64_Sym)) return symbols;
    auto strtab = section(bytes, header, symtab->sh_link);
    if (!strtab || strtab->sh_type != SHT_STRTAB) return symbols;
    if (!range_inside(symtab->sh_offset, symtab->sh_size, bytes.size()) ||
        !range_inside(strtab->sh_offset, strtab->sh_size, bytes.size()))
        return symbols;
    const Bytes names = bytes.subspan(strtab->sh_offset, strtab->sh_size);
    const uint64_t count = symtab->sh_size / sizeof(Elf64_Sym);
    for (uint64_t i = 0; i < count; ++i) {
        const auto sym = read_at<Elf64_Sym>(bytes, symtab->sh_offset + i * sizeof(Elf64_Sym));
        if (!sym) break;
        const unsigned type = ELF64_ST_TYPE(sym->st_info);
        if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
        if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE) continue;
        auto name = string_at(names, sym->st_name);
        if (!name || name->empty()) continue;
        // Hand-written assembly labels are untyped: code if their section is.
        bool code = type == STT_FUNC;
        if (type == STT_NOTYPE) {
            auto sec = section(bytes, header, sym->st_shndx);
            code = sec && (sec->sh_flags & SHF_EXECINSTR);
        }
        symbols.push_back({std::move(*name), sym->st_value, sym->st_size, code});
    }
    return symbols;
}

// Whole-image checks over the program headers, in a fixed order so a file
// with several problems always reports the same one.
std::expected<void, ElfError> collect_segments(const std::vector<Elf64_Phdr>& phdrs, uint64_t file_size, ElfTarget target,
                                               ElfImage& image) {
    for (const auto& ph : phdrs)
        if (ph.p_type == PT_INTERP) return std::unexpected(ElfError::DynamicallyLinked);
    for (const auto& ph : phdrs) {
        if (ph.p_type == PT_LOAD) {
            auto segment = check_load(ph, file_size, target);
            if (!segment) return std::unexpected(segment.error());
            image.loads.push_back(*segment);
        } else if (ph.p_type == PT_TLS) {
            if (ph.p_filesz > ph.p_memsz) return std::unexpected(ElfError::BadProgramHeaders);
            if (ph.p_filesz != 0 && !range_inside(ph.p_offset, ph.p_filesz, file_size))
                return std::unexpected(ElfError::SegmentOutsideFile);
            image.tls_memsz = ph.p_memsz;
        } else if (ph.p_type == PT_GNU_STACK) {
            image.executable_stack = (ph.p_flags & PF_X) != 0;
        }
    }
    if (image.loads.empty()) return std::unexpected(ElfError::NoLoadableSegments);
    if (loads_overlap(image.loads)) return std::unexpected(ElfError::OverlappingSegments);
    if (!entry_is_executable(image.loads, image.entry))
        return std::unexpected(ElfError::EntryOutsideSegments);
    return {};
}

}  // namespace

std::string_view describe(ElfError error) {
    switch (error) {
        case ElfError::Empty: return "file is empty";
        case ElfError::Truncated: return "file is truncated: shorter than an ELF header";
        case ElfError::NotElf: return "not an ELF file (no \\x7fELF magic)";
        case ElfError::Not64Bit: return "not a 64-bit ELF (ELFCLASS64 required)";
        case ElfError::BigEndian: return "not a little-endian ELF (ELFDATA2LSB required)";
        case ElfError::WrongMachine: return "not an x86-64 ELF (e_machine must be EM_X86_64)";
        case ElfError::NotExecutable:
            return "not an executable (e_type must be ET_EXEC or ET_DYN; object files and cores are not runnable)";
        case ElfError::BadProgramHeaders:
            return "malformed program headers (wrong entry size, none at all, outside the file, or p_filesz > p_memsz)";
        case ElfError::TooManyProgramHeaders: return "too many program headers (limit 128)";
        case ElfError::SegmentOutsideFile: return "a segment's file bytes lie outside the file";
        case ElfError::OverlappingSegments: return "two PT_LOAD segments overlap in memory";
        case ElfError::EntryOutsideSegments: return "entry point is not inside an executable PT_LOAD segment";
        case ElfError::BadAlignment:
            return "bad segment alignment (p_align not a power of two, or p_vaddr and p_offset disagree modulo the alignment/page size)";
        case ElfError::DynamicallyLinked:
            return "dynamically linked (has PT_INTERP); sysentry runs static programs: rebuild with "
                   "`gcc -static` or `musl-gcc -static`";
        case ElfError::AddressOverflow:
            return "a segment overflows the address space or reaches the kernel half (>= 0x7ffffffff000)";
        case ElfError::NoLoadableSegments: return "no PT_LOAD segments: nothing to load";
    }
    return "unknown ELF error";
}

bool is_elf(std::span<const uint8_t> bytes) {
    return bytes.size() >= SELFMAG && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

std::expected<ElfImage, ElfError> parse_elf(std::span<const uint8_t> bytes, ElfTarget target) {
    auto header = read_header(bytes);
    if (!header) return std::unexpected(header.error());
    auto phdrs = read_program_headers(bytes, *header);
    if (!phdrs) return std::unexpected(phdrs.error());

    ElfImage image;
    image.type = header->e_type;
    image.position_independent = header->e_type == ET_DYN;
    image.entry = header->e_entry;
    image.phent = header->e_phentsize;
    image.phnum = header->e_phnum;
    if (auto ok = collect_segments(*phdrs, bytes.size(), target, image); !ok) return std::unexpected(ok.error());
    image.phdr_vaddr = phdr_address(*phdrs, *header);
    image.symbols = read_symbols(bytes, *header);
    return image;
}

const ElfSymbol* find_symbol(const ElfImage& image, std::string_view name) {
    auto it = std::ranges::find(image.symbols, name, &ElfSymbol::name);
    return it == image.symbols.end() ? nullptr : &*it;
}

// A sized symbol that covers `address`; failing that, the nearest code label
// at or below it (hand-written assembly labels have size 0), as objdump names
// addresses `<label+0x2c>`.
const ElfSymbol* symbol_containing(const ElfImage& image, uint64_t address) {
    auto it = std::ranges::find_if(image.symbols, [address](const ElfSymbol& s) {
        return address >= s.value && address - s.value < s.size;
    });
    if (it != image.symbols.end()) return &*it;
    const ElfSymbol* best = nullptr;
    for (const ElfSymbol& s : image.symbols) {
        if (s.size == 0 && s.is_function && s.value <= address && (!best || s.value > best->value)) best = &s;
    }
    return best;
}

}  // namespace sysentry
