#include "sysentry/elf_image.hpp"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>

namespace sysentry {
namespace {

// Builds ELF files in memory: the header and program headers are plain
// structs that tests tweak before bytes() serialises them over a payload.
struct TestElf {
    Elf64_Ehdr header{};
    std::vector<Elf64_Phdr> phdrs;
    std::optional<uint16_t> phnum_override;
    std::vector<uint8_t> file = std::vector<uint8_t>(0x3000, 0);

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out = file;
        Elf64_Ehdr h = header;
        h.e_phnum = phnum_override.value_or(static_cast<uint16_t>(phdrs.size()));
        std::memcpy(out.data(), &h, sizeof h);
        const size_t table = phdrs.size() * sizeof(Elf64_Phdr);
        if (h.e_phoff <= out.size() && table <= out.size() - h.e_phoff)
            std::memcpy(out.data() + h.e_phoff, phdrs.data(), table);
        return out;
    }
    template <class T> void put(uint64_t offset, const T& value) {
        std::memcpy(file.data() + offset, &value, sizeof value);
    }
};

Elf64_Phdr load(uint64_t vaddr, uint64_t offset, uint64_t filesz, uint64_t memsz, uint32_t flags) {
    return {.p_type = PT_LOAD, .p_flags = flags, .p_offset = offset, .p_vaddr = vaddr, .p_paddr = vaddr,
            .p_filesz = filesz, .p_memsz = memsz, .p_align = 0x1000};
}

Elf64_Phdr other(uint32_t type, uint32_t flags = PF_R) {
    return {.p_type = type, .p_flags = flags, .p_align = 8};
}

// Shaped like `ld` output for a tiny .s: headers page, text, data + bss.
TestElf static_exec() {
    TestElf e;
    std::memcpy(e.header.e_ident, ELFMAG, SELFMAG);
    e.header.e_ident[EI_CLASS] = ELFCLASS64;
    e.header.e_ident[EI_DATA] = ELFDATA2LSB;
    e.header.e_ident[EI_VERSION] = EV_CURRENT;
    e.header.e_type = ET_EXEC;
    e.header.e_machine = EM_X86_64;
    e.header.e_version = EV_CURRENT;
    e.header.e_entry = 0x401000;
    e.header.e_phoff = sizeof(Elf64_Ehdr);
    e.header.e_ehsize = sizeof(Elf64_Ehdr);
    e.header.e_phentsize = sizeof(Elf64_Phdr);
    e.header.e_shentsize = sizeof(Elf64_Shdr);
    e.phdrs = {
        load(0x400000, 0, 0x200, 0x200, PF_R),
        load(0x401000, 0x1000, 0x100, 0x100, PF_R | PF_X),
        load(0x402000, 0x2000, 0x80, 0x1000, PF_R | PF_W),
        other(PT_GNU_STACK, PF_R | PF_W),
    };
    return e;
}

ElfError error_of(const TestElf& e) {
    const auto bytes = e.bytes();
    auto r = parse_elf(bytes);
    EXPECT_FALSE(r.has_value());
    return r ? ElfError::Empty : r.error();
}

ElfImage parsed(const TestElf& e) {
    const auto bytes = e.bytes();
    auto r = parse_elf(bytes);
    EXPECT_TRUE(r.has_value()) << describe(r.error());
    return r.value_or(ElfImage{});
}

// Adds .symtab/.strtab section headers at 0x2800 describing four symbols,
// of which only "main" (FUNC) and "counter" (OBJECT) qualify.
void add_symbols(TestElf& e) {
    const char names[] = "\0main\0counter\0label\0ext";
    e.file.resize(0x3000);
    std::memcpy(e.file.data() + 0x2600, names, sizeof names);
    const Elf64_Sym syms[] = {
        {},
        {.st_name = 1, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1, .st_value = 0x401010, .st_size = 0x20},
        {.st_name = 6, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), .st_shndx = 2, .st_value = 0x402000, .st_size = 8},
        {.st_name = 14, .st_info = ELF64_ST_INFO(STB_LOCAL, STT_NOTYPE), .st_shndx = 1, .st_value = 0x401000},
        {.st_name = 20, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = SHN_UNDEF},
    };
    std::memcpy(e.file.data() + 0x2400, syms, sizeof syms);
    const Elf64_Shdr shdrs[] = {
        {},
        {.sh_type = SHT_SYMTAB, .sh_offset = 0x2400, .sh_size = sizeof syms, .sh_link = 2,
         .sh_entsize = sizeof(Elf64_Sym)},
        {.sh_type = SHT_STRTAB, .sh_offset = 0x2600, .sh_size = sizeof names},
    };
    std::memcpy(e.file.data() + 0x2800, shdrs, sizeof shdrs);
    e.header.e_shoff = 0x2800;
    e.header.e_shnum = 3;
}

// ---- success paths -------------------------------------------------------

TEST(elf_image, parses_a_static_executable) {
    const ElfImage img = parsed(static_exec());
    EXPECT_EQ(img.type, ET_EXEC);
    EXPECT_FALSE(img.position_independent);
    EXPECT_EQ(img.entry, 0x401000u);
    EXPECT_EQ(img.phent, sizeof(Elf64_Phdr));
    EXPECT_EQ(img.phnum, 4);
    ASSERT_EQ(img.loads.size(), 3u);
    EXPECT_EQ(img.loads[1].vaddr, 0x401000u);
    EXPECT_EQ(img.loads[1].file_offset, 0x1000u);
    EXPECT_TRUE(img.loads[1].executable);
    EXPECT_FALSE(img.loads[1].writable);
    EXPECT_EQ(img.loads[2].filesz, 0x80u);
    EXPECT_EQ(img.loads[2].memsz, 0x1000u);
    EXPECT_TRUE(img.loads[2].writable);
    EXPECT_FALSE(img.loads[2].executable);
    EXPECT_TRUE(img.loads[0].readable);
    EXPECT_FALSE(img.tls_memsz.has_value());
    EXPECT_FALSE(img.executable_stack);
    EXPECT_TRUE(img.symbols.empty());
}

TEST(elf_image, derives_phdr_address_from_the_load_covering_e_phoff) {
    EXPECT_EQ(parsed(static_exec()).phdr_vaddr, 0x400000u + sizeof(Elf64_Ehdr));
}

TEST(elf_image, prefers_pt_phdr_when_present) {
    TestElf e = static_exec();
    Elf64_Phdr ph = other(PT_PHDR);
    ph.p_vaddr = 0x400abc;
    e.phdrs.insert(e.phdrs.begin(), ph);
    EXPECT_EQ(parsed(e).phdr_vaddr, 0x400abcu);
}

TEST(elf_image, phdr_address_is_zero_when_no_load_maps_the_table) {
    TestElf e = static_exec();
    e.phdrs.erase(e.phdrs.begin());  // like `ld -N`: headers not in any PT_LOAD
    EXPECT_EQ(parsed(e).phdr_vaddr, 0u);
}

TEST(elf_image, accepts_static_pie) {
    TestElf e = static_exec();
    e.header.e_type = ET_DYN;
    e.header.e_entry = 0x1000;
    e.phdrs = {load(0, 0, 0x200, 0x200, PF_R), load(0x1000, 0x1000, 0x100, 0x100, PF_R | PF_X),
               load(0x3000, 0x2000, 0x80, 0x100, PF_R | PF_W)};
    const ElfImage img = parsed(e);
    EXPECT_EQ(img.type, ET_DYN);
    EXPECT_TRUE(img.position_independent);
    EXPECT_EQ(img.phdr_vaddr, sizeof(Elf64_Ehdr));
    EXPECT_EQ(img.loads[2].vaddr, 0x3000u);
}

TEST(elf_image, records_tls_and_executable_stack) {
    TestElf e = static_exec();
    Elf64_Phdr tls = other(PT_TLS);
    tls.p_offset = 0x2000;
    tls.p_filesz = 0x18;
    tls.p_memsz = 0x60;
    e.phdrs.push_back(tls);
    e.phdrs[3].p_flags = PF_R | PF_W | PF_X;  // GNU_STACK RWE (gcc -z execstack)
    const ElfImage img = parsed(e);
    EXPECT_EQ(img.tls_memsz, 0x60u);
    EXPECT_TRUE(img.executable_stack);
}

TEST(elf_image, accepts_segments_that_share_a_page_without_sharing_bytes) {
    // What a linker script packing .data right after .text produces:
    // text [0x400000, 0x4000b9), data [0x4000c0, 0x400108) in the same page.
    TestElf e = static_exec();
    e.header.e_entry = 0x4000b0;
    e.phdrs = {load(0x400000, 0, 0xb9, 0xb9, PF_R | PF_X), load(0x4000c0, 0xc0, 0x8, 0x48, PF_R | PF_W)};
    EXPECT_EQ(parsed(e).loads.size(), 2u);
    // And `ld -z noseparate-code`: data shares the *file* page at another vaddr.
    e.phdrs[1] = load(0x4010b9, 0xb9, 0x8, 0x4f, PF_R | PF_W);
    EXPECT_EQ(parsed(e).loads.size(), 2u);
}

TEST(elf_image, accepts_byte_granular_alignment_like_ld_n) {
    TestElf e = static_exec();
    e.header.e_entry = 0x400078;
    e.phdrs = {load(0x400078, 0x78, 0x11, 0x58, PF_R | PF_W | PF_X)};
    e.phdrs[0].p_align = 1;
    EXPECT_EQ(parsed(e).loads.size(), 1u);
}

TEST(elf_image, finds_symbols_by_name_and_address) {
    TestElf e = static_exec();
    add_symbols(e);
    const ElfImage img = parsed(e);
    ASSERT_EQ(img.symbols.size(), 3u);  // undefined symbols are skipped; assembly labels are kept
    const ElfSymbol* main_sym = find_symbol(img, "main");
    ASSERT_NE(main_sym, nullptr);
    EXPECT_EQ(main_sym->value, 0x401010u);
    EXPECT_EQ(main_sym->size, 0x20u);
    EXPECT_TRUE(main_sym->is_function);
    const ElfSymbol* counter = find_symbol(img, "counter");
    ASSERT_NE(counter, nullptr);
    EXPECT_FALSE(counter->is_function);
    const ElfSymbol* label = find_symbol(img, "label");  // an untyped label, as `as` emits for _start
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->value, 0x401000u);
    EXPECT_EQ(find_symbol(img, "ext"), nullptr);
    EXPECT_EQ(symbol_containing(img, 0x40102f), main_sym);
    EXPECT_EQ(symbol_containing(img, 0x401030), nullptr);
}

TEST(elf_image, falls_back_to_dynsym) {
    TestElf e = static_exec();
    add_symbols(e);
    Elf64_Shdr sh;
    std::memcpy(&sh, e.file.data() + 0x2800 + sizeof(Elf64_Shdr), sizeof sh);
    sh.sh_type = SHT_DYNSYM;
    e.put(0x2800 + sizeof(Elf64_Shdr), sh);
    EXPECT_NE(find_symbol(parsed(e), "main"), nullptr);
}

TEST(elf_image, garbage_section_headers_mean_no_symbols_not_an_error) {
    using Mutation = void (*)(TestElf&);
    const Mutation mutations[] = {
        [](TestElf& e) { e.header.e_shoff = 0xfffffffffffff000; },
        [](TestElf& e) { e.header.e_shoff = 0x2ff0; },  // table runs past the end
        [](TestElf& e) { e.header.e_shnum = 0xffff; },
        [](TestElf& e) { e.header.e_shentsize = 12; },
        [](TestElf& e) { e.put(0x2800 + sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_link), uint32_t{77}); },
        [](TestElf& e) { e.put(0x2800 + sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_link), uint32_t{1}); },
        [](TestElf& e) { e.put(0x2800 + sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_entsize), uint64_t{7}); },
        [](TestElf& e) { e.put(0x2800 + sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_size), ~uint64_t{0}); },
        [](TestElf& e) { e.put(0x2800 + 2 * sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_offset), ~uint64_t{0}); },
    };
    for (size_t i = 0; i < std::size(mutations); ++i) {
        TestElf e = static_exec();
        add_symbols(e);
        mutations[i](e);
        EXPECT_TRUE(parsed(e).symbols.empty()) << "mutation " << i;
    }
}

TEST(elf_image, skips_symbols_with_bad_names) {
    TestElf e = static_exec();
    add_symbols(e);
    // "counter" gets a name index past the string table; "label" becomes a
    // FUNC named "ext", which loses its NUL when the string table shrinks.
    e.put(0x2400 + 2 * sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_name), uint32_t{5000});
    e.put(0x2400 + 3 * sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_name), uint32_t{20});
    e.put(0x2400 + 3 * sizeof(Elf64_Sym) + offsetof(Elf64_Sym, st_info),
          static_cast<uint8_t>(ELF64_ST_INFO(STB_GLOBAL, STT_FUNC)));
    e.put(0x2800 + 2 * sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_size), uint64_t{23});
    const ElfImage img = parsed(e);
    ASSERT_EQ(img.symbols.size(), 1u);
    EXPECT_EQ(img.symbols[0].name, "main");
}

TEST(elf_image, is_elf_sniffs_the_magic) {
    EXPECT_TRUE(is_elf(static_exec().bytes()));
    const std::vector<uint8_t> script = {'#', '!', '/', 'b', 'i', 'n'};
    EXPECT_FALSE(is_elf(script));
    EXPECT_FALSE(is_elf(std::vector<uint8_t>{0x7f, 'E', 'L'}));
    EXPECT_FALSE(is_elf({}));
}

// ---- every error -------------------------------------------------------------

TEST(elf_image_error, empty) { EXPECT_EQ(parse_elf({}).error(), ElfError::Empty); }

TEST(elf_image_error, truncated) {
    const auto full = static_exec().bytes();
    EXPECT_EQ(parse_elf(std::span(full).first(3)).error(), ElfError::Truncated);
    EXPECT_EQ(parse_elf(std::span(full).first(10)).error(), ElfError::Truncated);
    EXPECT_EQ(parse_elf(std::span(full).first(sizeof(Elf64_Ehdr) - 1)).error(), ElfError::Truncated);
}

TEST(elf_image_error, not_elf) {
    const std::vector<uint8_t> script = {'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h', '\n'};
    EXPECT_EQ(parse_elf(script).error(), ElfError::NotElf);
    EXPECT_EQ(parse_elf(std::vector<uint8_t>{'M'}).error(), ElfError::NotElf);
}

TEST(elf_image_error, not_64_bit) {
    TestElf e = static_exec();
    e.header.e_ident[EI_CLASS] = ELFCLASS32;
    EXPECT_EQ(error_of(e), ElfError::Not64Bit);
    // Named as 32-bit even when shorter than a 64-bit header.
    const auto bytes = e.bytes();
    EXPECT_EQ(parse_elf(std::span(bytes).first(52)).error(), ElfError::Not64Bit);
}

TEST(elf_image_error, big_endian) {
    TestElf e = static_exec();
    e.header.e_ident[EI_DATA] = ELFDATA2MSB;
    EXPECT_EQ(error_of(e), ElfError::BigEndian);
}

TEST(elf_image_error, wrong_machine) {
    TestElf e = static_exec();
    e.header.e_machine = EM_AARCH64;
    EXPECT_EQ(error_of(e), ElfError::WrongMachine);
    e.header.e_machine = EM_386;
    EXPECT_EQ(error_of(e), ElfError::WrongMachine);
}

TEST(elf_image_error, not_executable) {
    TestElf e = static_exec();
    e.header.e_type = ET_REL;
    EXPECT_EQ(error_of(e), ElfError::NotExecutable);
    e.header.e_type = ET_CORE;
    EXPECT_EQ(error_of(e), ElfError::NotExecutable);
}

TEST(elf_image_error, bad_program_headers) {
    TestElf e = static_exec();
    e.phnum_override = 0;
    EXPECT_EQ(error_of(e), ElfError::BadProgramHeaders);

    e = static_exec();
    e.header.e_phentsize = 32;
    EXPECT_EQ(error_of(e), ElfError::BadProgramHeaders);

    e = static_exec();
    e.header.e_phoff = 0x2fc0;  // 4 entries do not fit in the 0x3000-byte file
    EXPECT_EQ(error_of(e), ElfError::BadProgramHeaders);

    e = static_exec();
    e.header.e_phoff = ~uint64_t{0} - 8;  // offset + size wraps around
    EXPECT_EQ(error_of(e), ElfError::BadProgramHeaders);

    e = static_exec();
    e.phdrs[2].p_filesz = 0x2000;  // filesz > memsz
    e.phdrs[2].p_memsz = 0x100;
    EXPECT_EQ(error_of(e), ElfError::BadProgramHeaders);
}

TEST(elf_image_error, too_many_program_headers) {
    TestElf e = static_exec();
    e.phnum_override = kMaxProgramHeaders + 1;
    EXPECT_EQ(error_of(e), ElfError::TooManyProgramHeaders);
    e.phnum_override = PN_XNUM;
    EXPECT_EQ(error_of(e), ElfError::TooManyProgramHeaders);
    EXPECT_NE(describe(ElfError::TooManyProgramHeaders).find("too many"), std::string_view::npos);
    // Exactly the limit is fine.
    e = static_exec();
    while (e.phdrs.size() < kMaxProgramHeaders) e.phdrs.push_back(other(PT_NOTE));
    e.file.resize(0x5000);
    e.header.e_phoff = 0x3000;
    EXPECT_EQ(parsed(e).phnum, kMaxProgramHeaders);
}

TEST(elf_image_error, segment_outside_file) {
    TestElf e = static_exec();
    e.phdrs[2].p_filesz = 0x1001;  // 0x2000 + 0x1001 > 0x3000
    e.phdrs[2].p_memsz = 0x2000;
    EXPECT_EQ(error_of(e), ElfError::SegmentOutsideFile);

    e = static_exec();
    e.phdrs[1].p_offset = 0xfffffffffffff000;  // wraps; keeps vaddr congruence
    EXPECT_EQ(error_of(e), ElfError::SegmentOutsideFile);
}

TEST(elf_image_error, overlapping_segments) {
    TestElf e = static_exec();
    e.phdrs[2] = load(0x4010f8, 0x20f8, 0x8, 0x100, PF_R | PF_W);  // starts 8 bytes before text ends
    EXPECT_EQ(error_of(e), ElfError::OverlappingSegments);
    // Order in the file does not hide it.
    std::swap(e.phdrs[0], e.phdrs[2]);
    EXPECT_EQ(error_of(e), ElfError::OverlappingSegments);
    // Touching (end == start) is not overlapping.
    e = static_exec();
    e.phdrs[2] = load(0x401100, 0x2100, 0x8, 0x100, PF_R | PF_W);
    EXPECT_EQ(parsed(e).loads.size(), 3u);
}

TEST(elf_image_error, entry_outside_segments) {
    TestElf e = static_exec();
    e.header.e_entry = 0x402000;  // in the RW data segment
    EXPECT_EQ(error_of(e), ElfError::EntryOutsideSegments);
    e.header.e_entry = 0x401100;  // one past the end of text
    EXPECT_EQ(error_of(e), ElfError::EntryOutsideSegments);
    e.header.e_entry = 0;
    EXPECT_EQ(error_of(e), ElfError::EntryOutsideSegments);
}

TEST(elf_image_error, bad_alignment) {
    TestElf e = static_exec();
    e.phdrs[1].p_align = 0x1800;  // not a power of two
    EXPECT_EQ(error_of(e), ElfError::BadAlignment);

    e = static_exec();
    e.phdrs[1].p_offset = 0x1010;  // vaddr 0x401000 vs offset 0x1010: mmap impossible
    EXPECT_EQ(error_of(e), ElfError::BadAlignment);

    e = static_exec();
    e.phdrs[1].p_offset = 0x2000;  // congruent with 0x401000 mod 4 KiB, but not mod 8 KiB
    e.phdrs[1].p_align = 0x2000;
    EXPECT_EQ(error_of(e), ElfError::BadAlignment);
}

TEST(elf_image_error, dynamically_linked) {
    TestElf e = static_exec();
    Elf64_Phdr interp = other(PT_INTERP);
    interp.p_offset = 0x200;
    interp.p_filesz = 28;
    e.phdrs.insert(e.phdrs.begin(), interp);
    EXPECT_EQ(error_of(e), ElfError::DynamicallyLinked);
    const std::string_view message = describe(ElfError::DynamicallyLinked);
    EXPECT_NE(message.find("PT_INTERP"), std::string_view::npos);
    EXPECT_NE(message.find("gcc -static"), std::string_view::npos);
    EXPECT_NE(message.find("musl-gcc -static"), std::string_view::npos);
}

TEST(elf_image_error, address_overflow) {
    TestElf e = static_exec();
    e.phdrs[2] = load(0xfffffffffffff000, 0x2000, 0x80, 0x2000, PF_R | PF_W);  // wraps past 2^64
    EXPECT_EQ(error_of(e), ElfError::AddressOverflow);

    e = static_exec();
    e.phdrs[2] = load(0x800000000000, 0x2000, 0x80, 0x1000, PF_R | PF_W);  // kernel half
    EXPECT_EQ(error_of(e), ElfError::AddressOverflow);

    e = static_exec();
    e.phdrs[2] = load(kUserAddressEnd - 0x1000, 0x2000, 0x80, 0x1001, PF_R | PF_W);  // one byte too far
    EXPECT_EQ(error_of(e), ElfError::AddressOverflow);
    e.phdrs[2].p_memsz = 0x1000;  // ends exactly at the limit: fine
    EXPECT_EQ(parsed(e).loads.size(), 3u);
}

TEST(elf_image_error, no_loadable_segments) {
    TestElf e = static_exec();
    e.phdrs = {other(PT_GNU_STACK, PF_R | PF_W), other(PT_NOTE)};
    EXPECT_EQ(error_of(e), ElfError::NoLoadableSegments);
}

TEST(elf_image_error, every_error_has_a_distinct_description) {
    std::set<std::string_view> seen;
    for (int i = 0; i <= static_cast<int>(ElfError::NoLoadableSegments); ++i) {
        const std::string_view d = describe(static_cast<ElfError>(i));
        EXPECT_FALSE(d.empty());
        EXPECT_TRUE(seen.insert(d).second) << d;
    }
}

// ---- hostile input ------------------------------------------------------------

// Whatever parse_elf accepts must be safe for the loader to copy blindly.
void expect_loadable(std::span<const uint8_t> bytes, const ElfImage& img) {
    bool entry_ok = false;
    for (const auto& s : img.loads) {
        ASSERT_LE(s.filesz, s.memsz);
        ASSERT_LE(s.file_offset, bytes.size());
        ASSERT_LE(s.filesz, bytes.size() - s.file_offset);
        ASSERT_LE(s.vaddr, kUserAddressEnd - s.memsz);
        entry_ok |= s.executable && img.entry >= s.vaddr && img.entry - s.vaddr < s.memsz;
    }
    ASSERT_TRUE(entry_ok);
}

TEST(elf_image_hostile, every_truncation_is_rejected_or_safe) {
    TestElf e = static_exec();
    add_symbols(e);
    const auto full = e.bytes();
    for (size_t len = 0; len <= full.size(); len += (len < 0x100 ? 1 : 0x40)) {
        auto r = parse_elf(std::span(full).first(len));
        if (r) expect_loadable(std::span(full).first(len), *r);
    }
}

TEST(elf_image_hostile, random_corruption_is_rejected_or_safe) {
    TestElf e = static_exec();
    add_symbols(e);
    const auto pristine = e.bytes();
    std::mt19937_64 rng(12345);
    size_t accepted = 0;
    for (int round = 0; round < 3000; ++round) {
        auto bytes = pristine;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < flips; ++i) {
            // Aim most corruption at the headers, where it matters.
            const size_t where = rng() % 4 == 0 ? rng() % bytes.size() : rng() % 0x140;
            bytes[where] = static_cast<uint8_t>(rng());
        }
        for (size_t at : {size_t{0x2800}, size_t{0x2400}})  // and sometimes at the section/symbol tables
            if (rng() % 3 == 0) bytes[at + rng() % 0x80] = static_cast<uint8_t>(rng());
        if (auto r = parse_elf(bytes)) {
            ++accepted;
            expect_loadable(bytes, *r);
        }
    }
    EXPECT_GT(accepted, 0u);  // some corruption lands in harmless bytes
}

}  // namespace
}  // namespace sysentry
