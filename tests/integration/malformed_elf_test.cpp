// Malformed executables through the real CLI: each is refused before anything
// runs, with one line on stderr naming the file and the defect, and status 126
// (127 when the file does not exist). sysentry itself never dies of a signal.
#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <functional>

#include "sysentry/elf_image.hpp"
#include "sysentry/exit_status.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

using Bytes = std::vector<uint8_t>;

// The hello example: three PT_LOADs at 0x400000 (headers), 0x401000 (text), 0x402000.
Bytes hello_elf() {
    std::string s = read_file(fs::path(SYSENTRY_EXAMPLES_DIR) / "hello");
    return Bytes(s.begin(), s.end());
}

template <class T> void poke(Bytes& b, size_t offset, T value) { std::memcpy(b.data() + offset, &value, sizeof value); }
size_t phdr(size_t i) { return sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr); }

struct MalformedCase {
    const char* name;
    std::function<void(Bytes&)> damage;
    ElfError error;
};

std::ostream& operator<<(std::ostream& os, const MalformedCase& c) { return os << c.name; }

const MalformedCase kCases[] = {
    {"empty", [](Bytes& b) { b.clear(); }, ElfError::Empty},
    {"truncated_header", [](Bytes& b) { b.resize(40); }, ElfError::Truncated},
    {"not_elf", [](Bytes& b) { b.assign({'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h', '\n'}); b.resize(200, ' '); },
     ElfError::NotElf},
    {"elf32", [](Bytes& b) { b[EI_CLASS] = ELFCLASS32; }, ElfError::Not64Bit},
    {"big_endian", [](Bytes& b) { b[EI_DATA] = ELFDATA2MSB; }, ElfError::BigEndian},
    {"aarch64", [](Bytes& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64); },
     ElfError::WrongMachine},
    {"relocatable_object", [](Bytes& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_type), ET_REL); },
     ElfError::NotExecutable},
    {"program_headers_outside_file",
     [](Bytes& b) { poke<uint64_t>(b, offsetof(Elf64_Ehdr, e_phoff), b.size() + 4096); },
     ElfError::BadProgramHeaders},
    {"program_headers_cut_off", [](Bytes& b) { b.resize(phdr(1) + 8); }, ElfError::BadProgramHeaders},
    {"huge_phnum", [](Bytes& b) { poke<uint16_t>(b, offsetof(Elf64_Ehdr, e_phnum), 0xffff); },
     ElfError::TooManyProgramHeaders},
    {"segment_outside_file",
     [](Bytes& b) { poke<uint64_t>(b, phdr(1) + offsetof(Elf64_Phdr, p_filesz), 1ull << 40);
                    poke<uint64_t>(b, phdr(1) + offsetof(Elf64_Phdr, p_memsz), 1ull << 40); },
     ElfError::SegmentOutsideFile},
    {"overlapping_segments",  // the headers' segment grows over the text
     [](Bytes& b) { poke<uint64_t>(b, phdr(0) + offsetof(Elf64_Phdr, p_memsz), 0x1100); },
     ElfError::OverlappingSegments},
    {"entry_outside_every_segment",
     [](Bytes& b) { poke<uint64_t>(b, offsetof(Elf64_Ehdr, e_entry), 0x500000); },
     ElfError::EntryOutsideSegments},
    {"entry_in_data_not_text",
     [](Bytes& b) { poke<uint64_t>(b, offsetof(Elf64_Ehdr, e_entry), 0x402000); },
     ElfError::EntryOutsideSegments},
    {"segment_in_the_kernel_half",
     [](Bytes& b) { poke<uint64_t>(b, phdr(2) + offsetof(Elf64_Phdr, p_vaddr), 0xffffffff81002000);
                    poke<uint64_t>(b, phdr(2) + offsetof(Elf64_Phdr, p_paddr), 0xffffffff81002000); },
     ElfError::AddressOverflow},
};

class malformed_elf : public ::testing::TestWithParam<MalformedCase> {};

// stderr is exactly "sysentry: PATH: DEFECT\n".
void expect_refused(const ProcessRun& run, const fs::path& path, std::string_view defect, int status) {
    EXPECT_EQ(run.signal, 0) << "sysentry itself must not die: " << describe(run);
    EXPECT_EQ(run.status(), status) << describe(run);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, fmt::format("sysentry: {}: {}\n", path.string(), defect));
}

TEST_P(malformed_elf, is_refused_with_one_line_and_status_126) {
    ScratchRoot dir = temp_dir("sysentry-malformed");
    Bytes bytes = hello_elf();
    ASSERT_GT(bytes.size(), phdr(3));
    GetParam().damage(bytes);
    fs::path path = write_file(dir.path() / "prog",
                               std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                               fs::perms(0755));
    expect_refused(run_cli({"run", path.string()}), path, describe(GetParam().error), kExitCannotRunStatus);
}

INSTANTIATE_TEST_SUITE_P(cli, malformed_elf, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(malformed_elf_cli, the_undamaged_original_runs) {  // so each case above tests its one defect
    ScratchRoot dir = temp_dir("sysentry-malformed");
    Bytes bytes = hello_elf();
    fs::path path = write_file(dir.path() / "prog",
                               std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                               fs::perms(0755));
    ProcessRun run = run_cli({"run", path.string()});
    EXPECT_EQ(run.status(), 0) << describe(run);
}

TEST(malformed_elf_cli, a_dynamically_linked_program_says_how_to_build_statically) {
    ScratchRoot dir = temp_dir("sysentry-dynamic");
    fs::path src = write_file(dir.path() / "dyn.c", "int main(void) { return 0; }\n"), exe = dir.path() / "dyn";
    ProcessRun cc = run_process({"gcc", "-o", exe.string(), src.string()});
    ASSERT_EQ(cc.status(), 0) << describe(cc);
    ProcessRun run = run_cli({"run", exe.string()});
    expect_refused(run, exe, describe(ElfError::DynamicallyLinked), kExitCannotRunStatus);
    EXPECT_NE(run.err.find("gcc -static"), std::string::npos) << run.err;
}

TEST(malformed_elf_cli, a_directory_is_refused) {
    ScratchRoot dir = temp_dir("sysentry-dir");
    expect_refused(run_cli({"run", dir.path().string()}), dir.path(), "is a directory", kExitCannotRunStatus);
}

TEST(malformed_elf_cli, a_missing_file_is_127) {
    fs::path missing = "/nonexistent/sysentry/prog";
    expect_refused(run_cli({"run", missing.string()}), missing, "no such file", kExitNotFoundStatus);
}

}  // namespace
}  // namespace sysentry::test
