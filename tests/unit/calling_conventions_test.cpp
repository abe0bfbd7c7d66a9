// syscall(2)'s two calling-convention tables, checked against values
// transcribed here independently from the man page (man-pages 5.02).
#include <gtest/gtest.h>

#include <algorithm>

#include "sysentry/calling_conventions.hpp"

namespace sysentry {
namespace {

const CallingConventions& cc() { return calling_conventions(); }

TEST(calling_conventions, has_the_man_pages_rows_in_order) {
    const std::vector<std::string> entry = {"alpha", "arc", "arm/OABI", "arm/EABI", "arm64", "blackfin", "i386", "ia64",
                                            "m68k", "microblaze", "mips", "nios2", "parisc", "powerpc", "riscv", "s390",
                                            "s390x", "superh", "sparc/32", "sparc/64", "tile", "x86-64", "x32", "xtensa"};
    const std::vector<std::string> args = {"alpha", "arc", "arm/OABI", "arm/EABI", "arm64", "blackfin", "i386", "ia64",
                                           "m68k", "microblaze", "mips/o32", "mips/n32,64", "nios2", "parisc", "powerpc",
                                           "riscv", "s390", "s390x", "superh", "sparc/32", "sparc/64", "tile", "x86-64",
                                           "x32", "xtensa"};
    ASSERT_EQ(cc().entry.size(), 24u);
    ASSERT_EQ(cc().arguments.size(), 25u);
    for (size_t i = 0; i < entry.size(); ++i) EXPECT_EQ(cc().entry[i].arch, entry[i]);
    for (size_t i = 0; i < args.size(); ++i) EXPECT_EQ(cc().arguments[i].arch, args[i]);
}

struct EntryCase { const char *arch, *instruction, *nr, *ret, *ret2, *error; };

TEST(calling_conventions, entry_values_match_the_man_page) {
    const EntryCase cases[] = {
        {"alpha", "callsys", "v0", "v0", "a4", "a3"},      {"arm/OABI", "swi NR", "-", "a1", "-", "-"},
        {"arm/EABI", "swi 0x0", "r7", "r0", "r1", "-"},    {"arm64", "svc #0", "x8", "x0", "x1", "-"},
        {"i386", "int $0x80", "eax", "eax", "edx", "-"},   {"ia64", "break 0x100000", "r15", "r8", "r9", "r10"},
        {"mips", "syscall", "v0", "v0", "v1", "a3"},       {"nios2", "trap", "r2", "r2", "-", "r7"},
        {"parisc", "ble 0x100(%sr2, %r0)", "r20", "r28", "-", "-"},
        {"powerpc", "sc", "r0", "r3", "-", "r0"},          {"riscv", "scall", "a7", "a0", "a1", "-"},
        {"s390x", "svc 0", "r1", "r2", "r3", "-"},         {"superh", "trap #0x17", "r3", "r0", "r1", "-"},
        {"sparc/64", "t 0x6d", "g1", "o0", "o1", "psr/csr"}, {"tile", "swint1", "R10", "R00", "-", "R01"},
        {"x86-64", "syscall", "rax", "rax", "rdx", "-"},   {"x32", "syscall", "rax", "rax", "rdx", "-"},
        {"xtensa", "syscall", "a2", "a2", "-", "-"},
    };
    for (const EntryCase& c : cases) {
        const AbiEntry* e = cc().find_entry(c.arch);
        ASSERT_NE(e, nullptr) << c.arch;
        EXPECT_EQ(e->instruction, c.instruction) << c.arch;
        EXPECT_EQ(e->nr, c.nr) << c.arch;
        EXPECT_EQ(e->ret, c.ret) << c.arch;
        EXPECT_EQ(e->ret2, c.ret2) << c.arch;
        EXPECT_EQ(e->error, c.error) << c.arch;
    }
}

TEST(calling_conventions, argument_registers_match_the_man_page) {
    const std::pair<const char*, std::array<std::string, 7>> cases[] = {
        {"i386", {"ebx", "ecx", "edx", "esi", "edi", "ebp", "-"}},
        {"x86-64", {"rdi", "rsi", "rdx", "r10", "r8", "r9", "-"}},
        {"x32", {"rdi", "rsi", "rdx", "r10", "r8", "r9", "-"}},
        {"arm/OABI", {"a1", "a2", "a3", "a4", "v1", "v2", "v3"}},
        {"arm/EABI", {"r0", "r1", "r2", "r3", "r4", "r5", "r6"}},
        {"mips/o32", {"a0", "a1", "a2", "a3", "-", "-", "-"}},
        {"parisc", {"r26", "r25", "r24", "r23", "r22", "r21", "-"}},
        {"powerpc", {"r3", "r4", "r5", "r6", "r7", "r8", "r9"}},
        {"superh", {"r4", "r5", "r6", "r7", "r0", "r1", "r2"}},
        {"m68k", {"d1", "d2", "d3", "d4", "d5", "a0", "-"}},
        {"xtensa", {"a6", "a3", "a4", "a5", "a8", "a9", "-"}},
        {"ia64", {"out0", "out1", "out2", "out3", "out4", "out5", "-"}},
    };
    for (const auto& [arch, regs] : cases) {
        const AbiArguments* a = cc().find_arguments(arch);
        ASSERT_NE(a, nullptr) << arch;
        EXPECT_EQ(a->args, regs) << arch;
    }
}

TEST(calling_conventions, rows_cite_the_man_pages_notes) {
    EXPECT_EQ(cc().find_entry("x86-64")->notes, std::vector<int>{5});  // the x32 bit
    EXPECT_EQ(cc().find_entry("superh")->notes, (std::vector<int>{4, 6}));
    EXPECT_EQ(cc().find_entry("s390")->notes, std::vector<int>{3});
    EXPECT_EQ(cc().find_arguments("mips/o32")->notes, std::vector<int>{1});  // stack arguments
    auto has_note = [](std::string_view table, int n, std::string_view words) {
        return std::ranges::any_of(cc().notes, [&](const AbiNote& x) {
            return x.table == table && x.number == n && x.text.find(words) != std::string::npos;
        });
    };
    EXPECT_TRUE(has_note("entry", 5, "0x40000000"));
    EXPECT_TRUE(has_note("args", 1, "stack"));
    EXPECT_TRUE(has_note("args", 0, "register pair"));  // the ARM/EABI alignment
}

TEST(calling_conventions, a_malformed_row_names_its_line) {
    auto bad = parse_calling_conventions("# header\nentry | x | y\n");
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().find("line 2"), std::string::npos) << bad.error();
    EXPECT_FALSE(parse_calling_conventions("args | a | 1 | 2 | 3 | 4 | 5 | 6 | 7 | x\n").has_value());
    EXPECT_TRUE(parse_calling_conventions("note | args | 2 | a | b\n").has_value());
}

}  // namespace
}  // namespace sysentry
