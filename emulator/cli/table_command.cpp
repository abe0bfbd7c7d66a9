// `sysentry table [NAME|NR]`: the three syscall tables and sysentry's support.
#include <charconv>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/dispatcher.hpp"
#include "sysentry/exit_status.hpp"

namespace sysentry::cli {

static std::string status_text(const SupportStatus& st) {
    if (st.entry && st.entry->entry == "sys_ni_syscall") return "reserved in Linux (always ENOSYS)";
    if (!st.service) return "not implemented (ENOSYS)";
    if (st.service->support == Support::partial) return fmt::format("partial: {}", st.service->note);
    return "implemented";
}

static void print_row(const Dispatcher& d, const SyscallEntry& e) {
    fmt::print("{:7} {:>4}  {:24} {}\n", to_string(e.abi), e.nr, e.name, status_text(d.lookup(e.abi, e.nr)));
}

static int print_one(const Dispatcher& d, const std::string& query) {
    int nr = -1;
    bool numeric = std::from_chars(query.data(), query.data() + query.size(), nr).ptr == query.data() + query.size();
    bool found = false;
    for (const SyscallEntry& e : syscall_catalogue()) {
        if (numeric ? e.nr == nr : e.name == query) {
            print_row(d, e);
            found = true;
        }
    }
    if (!found) fmt::print(stderr, "sysentry: no syscall named or numbered '{}'\n", query);
    return found ? 0 : kExitUsageStatus;
}

static int table_command(const std::string& query) {
    Dispatcher d;
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
    auto* cmd = app.add_subcommand("table", "List the syscall tables (x86-64, x32, i386) and what sysentry implements");
    cmd->add_option("query", *query, "A syscall name or number to show on its own");
    return {cmd, [query] { return table_command(*query); }};
}

}  // namespace sysentry::cli
