// `sysentry table [NAME|NR] [--category NAME]`: the three syscall tables, one
// entry in full, or the calls of one of the seed note's categories.
#include <charconv>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/dispatcher.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/syscall_example.hpp"
#include "sysentry/syscall_reference.hpp"

namespace sysentry::cli {

constexpr SyscallAbi kAbis[] = {SyscallAbi::x86_64, SyscallAbi::i386, SyscallAbi::x32};

static std::string status_text(const SupportStatus& st) {
    if (st.entry && st.entry->entry == "sys_ni_syscall") return "reserved in Linux (always ENOSYS)";
    if (!st.service) return "not implemented (ENOSYS)";
    if (st.service->support == Support::partial) return fmt::format("partial: {}", st.service->note);
    return "implemented";
}

static void print_row(const Dispatcher& d, const SyscallEntry& e) {
    fmt::print("{:7} {:>4}  {:24} {}\n", to_string(e.abi), e.nr, e.name, status_text(d.lookup(e.abi, e.nr)));
}

// "write" stays "write"; "1" is the x86-64 call numbered 1.
static std::optional<std::string_view> query_name(const std::string& query) {
    int nr = -1;
    if (std::from_chars(query.data(), query.data() + query.size(), nr).ptr != query.data() + query.size())
        return find_syscall_reference(query) ? std::optional<std::string_view>(find_syscall_reference(query)->name) : std::nullopt;
    const SyscallEntry* e = find_syscall(SyscallAbi::x86_64, nr);
    return e ? std::optional<std::string_view>(e->name) : std::nullopt;
}

static void print_numbers(const Dispatcher& d, std::string_view name) {
    for (SyscallAbi abi : kAbis) {
        auto nr = syscall_number(abi, name);
        if (!nr) {
            fmt::print("  {:12}-  (not in this table)\n", fmt::format("{}:", to_string(abi)));
            continue;
        }
        std::string number = abi == SyscallAbi::x32 ? fmt::format("{} ({:#x} with __X32_SYSCALL_BIT)", *nr, *nr | kX32SyscallBit)
                                                    : std::to_string(*nr);
        fmt::print("  {:12}{}  sysentry: {}\n", fmt::format("{}:", to_string(abi)), number, status_text(d.lookup(abi, *nr)));
    }
}

static int print_one(const Dispatcher& d, const std::string& query) {
    auto name = query_name(query);
    if (!name) {
        fmt::print(stderr, "sysentry: no syscall named '{}' (or numbered so in the x86-64 table)\n", query);
        return kExitUsageStatus;
    }
    const SyscallReference* ref = find_syscall_reference(*name);
    fmt::print("{}\n", *name);
    if (ref) {
        fmt::print("  {:12}{}\n", "category:", category_title(ref->category));
        fmt::print("  {:12}{}\n", "signature:", ref->signature.empty() ? "(no section-2 man page)" : ref->signature);
    }
    print_numbers(d, *name);
    fmt::print("  {:12}{}\n", "strace:", example_strace_line(*name));
    return 0;
}

static int print_category(const Dispatcher& d, const std::string& wanted) {
    auto category = parse_category(wanted);
    if (!category) {
        fmt::print(stderr, "sysentry: --category {}: expected process, file, device, information or communication\n", wanted);
        return kExitUsageStatus;
    }
    fmt::print("{}:\n{:24} {:>6} {:>5} {:>4}  {}\n", category_title(*category), "NAME", "x86_64", "i386", "x32", "SYSENTRY (x86_64)");
    unsigned count = 0;
    for (const SyscallReference& r : syscall_references()) {
        if (r.category != *category) continue;
        auto nr = [&](SyscallAbi abi) { auto n = syscall_number(abi, r.name); return n ? std::to_string(*n) : "-"; };
        auto x64 = syscall_number(SyscallAbi::x86_64, r.name);
        fmt::print("{:24} {:>6} {:>5} {:>4}  {}\n", r.name, nr(SyscallAbi::x86_64), nr(SyscallAbi::i386), nr(SyscallAbi::x32),
                   x64 ? status_text(d.lookup(SyscallAbi::x86_64, *x64)) : "-");
        ++count;
    }
    fmt::print("{} system calls\n", count);
    return 0;
}

static int table_command(const std::string& query, const std::string& category) {
    Dispatcher d;
    if (!category.empty()) return print_category(d, category);
    if (!query.empty()) return print_one(d, query);
    fmt::print("{:7} {:>4}  {:24} {}\n", "ABI", "NR", "NAME", "SYSENTRY");
    unsigned total[3] = {}, served[3] = {};
    for (const SyscallEntry& e : syscall_catalogue()) {
        print_row(d, e);
        ++total[size_t(e.abi)];
        served[size_t(e.abi)] += d.lookup(e.abi, e.nr).service != nullptr;
    }
    for (SyscallAbi abi : {SyscallAbi::x86_64, SyscallAbi::x32, SyscallAbi::i386})
        fmt::print("{}: {} entries, {} implemented\n", to_string(abi), total[size_t(abi)], served[size_t(abi)]);
    fmt::print("x32 numbers are used with __X32_SYSCALL_BIT (0x40000000) set; i386 is reached by int $0x80.\n");
    return 0;
}

Subcommand add_table_command(CLI::App& app) {
    auto query = std::make_shared<std::string>();
    auto category = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("table", "List the syscall tables (x86-64, x32, i386) and what sysentry implements");
    cmd->add_option("query", *query, "A syscall name or x86-64 number: its numbers, category, signature and an example");
    cmd->add_option("--category", *category, "List one category: process, file, device, information, communication");
    return {cmd, [query, category] { return table_command(*query, *category); }};
}

}  // namespace sysentry::cli
