// `sysentry abi [ARCH]`: syscall(2)'s calling-convention tables, with x86-64
// highlighted and set beside i386's int $0x80 and x32.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/calling_conventions.hpp"
#include "sysentry/cli.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/syscall_catalogue.hpp"

namespace sysentry::cli {

constexpr std::string_view kHighlighted = "x86-64";

// "1,6" for the notes column.
static std::string notes_text(const std::vector<int>& notes) {
    std::string s;
    for (int n : notes) s += (s.empty() ? "" : ",") + std::to_string(n);
    return s;
}

// x86-64 rows get a marker, and bold on a terminal.
static std::string mark(std::string_view arch, std::string line) {
    if (arch != kHighlighted) return "  " + line;
    return isatty(STDOUT_FILENO) ? "> \033[1m" + line + "\033[0m" : "> " + line;
}

// ARCH matches its own rows; "mips" also matches mips/o32 and mips/n32,64.
static bool matches(std::string_view arch, std::string_view wanted) {
    auto under = [](std::string_view a, std::string_view b) { return a.starts_with(b) && a.size() > b.size() && a[b.size()] == '/'; };
    return wanted.empty() || arch == wanted || under(arch, wanted) || under(wanted, arch);
}

static void print_entry_table(const CallingConventions& cc, std::string_view wanted) {
    fmt::print("{:2}{:12} {:22} {:5} {:5} {:5} {:8} {}\n", "", "ARCH/ABI", "INSTRUCTION", "NR", "RET", "RET2", "ERROR", "NOTES");
    for (const AbiEntry& e : cc.entry)
        if (matches(e.arch, wanted))
            fmt::print("{}\n", mark(e.arch, fmt::format("{:12} {:22} {:5} {:5} {:5} {:8} {}", e.arch, e.instruction, e.nr,
                                                        e.ret, e.ret2, e.error, notes_text(e.notes))));
}

static void print_argument_table(const CallingConventions& cc, std::string_view wanted) {
    fmt::print("{:2}{:12} {:5} {:5} {:5} {:5} {:5} {:5} {:5} {}\n", "", "ARCH/ABI", "ARG1", "ARG2", "ARG3", "ARG4", "ARG5",
               "ARG6", "ARG7", "NOTES");
    for (const AbiArguments& a : cc.arguments)
        if (matches(a.arch, wanted))
            fmt::print("{}\n", mark(a.arch, fmt::format("{:12} {:5} {:5} {:5} {:5} {:5} {:5} {:5} {}", a.arch, a.args[0], a.args[1],
                                                        a.args[2], a.args[3], a.args[4], a.args[5], a.args[6], notes_text(a.notes))));
}

// Notes of `table` that the shown rows cite (all of them when nothing is chosen).
// A note no row cites is shown when it names the architecture.
static void print_notes(const CallingConventions& cc, std::string_view table, const std::vector<int>& cited,
                        std::string_view wanted) {
    for (const AbiNote& n : cc.notes)
        if (n.table == table && (wanted.empty() || std::ranges::find(cited, n.number) != cited.end() ||
                                 (n.number == 0 && n.text.find(wanted) != std::string::npos)))
            fmt::print("  {} {}\n", n.number ? fmt::format("[{}]", n.number) : std::string("[*]"), n.text);
}

static std::string registers(const AbiArguments& a) {
    std::string s;
    for (const std::string& r : a.args)
        if (r != "-") s += (s.empty() ? "" : " ") + r;
    return s;
}

// The three ways into an x86-64 Linux kernel, side by side.
static void print_x86_comparison(const CallingConventions& cc) {
    const AbiEntry *x64 = cc.find_entry("x86-64"), *i386 = cc.find_entry("i386"), *x32 = cc.find_entry("x32");
    const AbiArguments *a64 = cc.find_arguments("x86-64"), *a386 = cc.find_arguments("i386"), *ax32 = cc.find_arguments("x32");
    if (!x64 || !i386 || !x32 || !a64 || !a386 || !ax32) return;
    auto row = [](std::string_view what, std::string_view a, std::string_view b, std::string_view c) {
        fmt::print("  {:13} {:25} {:25} {}\n", what, a, b, c);
    };
    fmt::print("\nThe three ways into an x86-64 Linux kernel (all three are modelled by sysentry):\n");
    row("", "x86-64", "i386", "x32");
    row("instruction", x64->instruction, i386->instruction, x32->instruction);
    row("number in", x64->nr, i386->nr, fmt::format("{} | {:#x}", x32->nr, kX32SyscallBit));
    row("arguments", registers(*a64), registers(*a386), registers(*ax32));
    row("result in", x64->ret, i386->ret, x32->ret);
    row("clobbers", "rcx (RIP), r11 (RFLAGS)", "nothing (IRET restores)", "rcx (RIP), r11 (RFLAGS)");
    row("enters at", "LSTAR: entry_SYSCALL_64", "IDT[0x80]", "LSTAR, as x86-64");
    row("table", fmt::format("syscall_64.tbl: 0..{}", max_syscall_nr(SyscallAbi::x86_64)),
        fmt::format("syscall_32.tbl: 0..{}", max_syscall_nr(SyscallAbi::i386)),
        fmt::format("common rows + 512..{}", max_syscall_nr(SyscallAbi::x32)));
    fmt::print("  arg4 is r10, not rcx as in the C ABI, because SYSCALL itself overwrites rcx with the return address.\n");
}

static int abi_command(const std::string& arch) {
    const CallingConventions& cc = calling_conventions();
    bool known = arch.empty() || std::ranges::any_of(cc.arguments, [&](auto& a) { return matches(a.arch, arch); });
    if (!known) {
        std::string names;
        for (const AbiArguments& a : cc.arguments) names += " " + a.arch;
        fmt::print(stderr, "sysentry: abi: unknown architecture '{}'; one of:{}\n", arch, names);
        return kExitUsageStatus;
    }
    std::vector<int> entry_notes, arg_notes;
    for (const AbiEntry& e : cc.entry)
        if (matches(e.arch, arch)) entry_notes.insert(entry_notes.end(), e.notes.begin(), e.notes.end());
    for (const AbiArguments& a : cc.arguments)
        if (matches(a.arch, arch)) arg_notes.insert(arg_notes.end(), a.notes.begin(), a.notes.end());

    fmt::print("Entering the kernel (syscall(2), \"Architecture calling conventions\"):\n");
    print_entry_table(cc, arch);
    print_notes(cc, "entry", entry_notes, arch);
    fmt::print("\nPassing the arguments:\n");
    print_argument_table(cc, arch);
    print_notes(cc, "args", arg_notes, arch);
    if (arch.empty() || arch == "x86-64" || arch == "i386" || arch == "x32") print_x86_comparison(cc);
    return 0;
}

Subcommand add_abi_command(CLI::App& app) {
    auto arch = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("abi", "How every architecture passes a system call (syscall(2)'s tables), x86-64 highlighted");
    cmd->add_option("arch", *arch, "One architecture/ABI, e.g. arm/EABI, mips, x32");
    return {cmd, [arch] { return abi_command(*arch); }};
}

}  // namespace sysentry::cli
