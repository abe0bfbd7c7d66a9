// sysentry: watch a system call cross from ring 3 to ring 0 and back.
#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include "sysentry/cli.hpp"
#include "sysentry/exit_status.hpp"

using namespace sysentry;

int main(int argc, char** argv) {
    umask(0);  // the guest's own umask decides the modes of what it creates
    CLI::App app{"sysentry: an x86-64 syscall-entry emulator for learning how system calls work"};
    app.set_version_flag("--version", SYSENTRY_VERSION);
    app.require_subcommand(0, 1);

    cli::RunOptions run;
    auto* run_cmd = app.add_subcommand("run", "Run a static x86-64 program (ELF, .s/.S or .asm) through the modelled kernel");
    run_cmd->add_flag("--trace", run.trace, "Print every system call in strace's format on stderr");
    run_cmd->add_option("-o,--trace-file", run.trace_file, "Write the trace to FILE instead of stderr (as strace -o)");
    run_cmd->add_flag("-c,--summary", run.summary, "Count calls, errors and wall time per system call, as strace -c -f (zero time with --deterministic)");
    run_cmd->add_option("-e", run.trace_filter, "Trace only some calls, as strace: -e trace=write,read");
    run_cmd->add_option("--root", run.root, "Host directory the guest sees as / (default: a private empty one)")
        ->check(CLI::ExistingDirectory);
    run_cmd->add_flag("--deterministic", run.deterministic, "Fixed clock, random bytes and hostname: reproducible runs");
    run_cmd->add_option("--timeout", run.timeout_s, "Stop the guest after SECONDS of wall-clock time")
        ->check(CLI::NonNegativeNumber);
    run_cmd->add_option("--max-procs", run.max_procs, "Processes and threads at most; fork beyond it fails with EAGAIN")
        ->check(CLI::Range(1, 1 << 16));
    run_cmd->add_option("--mem-limit", run.mem_limit_mib, "Address space per process in MiB; mmap beyond it fails with ENOMEM")
        ->check(CLI::Range(1, 1 << 20));
    run_cmd->add_option("--kernel", run.kernel, "Boot this guest kernel ELF instead of the built-in one")
        ->check(CLI::ExistingFile);
    run_cmd->add_option("program", run.program, "The program: a static ELF, GNU as source (.s/.S) or NASM source (.asm)")
        ->required();
    run_cmd->add_option("args", run.args, "Arguments for the program");
    run_cmd->prefix_command(false);
    run_cmd->positionals_at_end(true);

    bool explain = false;
    auto* info_cmd = app.add_subcommand("info", "Show the booted machine: GDT, TSS, IDT and SYSCALL MSRs, explained");
    info_cmd->add_flag("--explain", explain, "Also explain where today's Linux differs from the seed's syscall_init");

    std::string query;
    auto* table_cmd = app.add_subcommand("table", "List the syscall tables (x86-64, x32, i386) and what sysentry implements");
    table_cmd->add_option("query", query, "A syscall name or number to show on its own");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : kExitUsageStatus;
    }
    if (*run_cmd) return cli::run_command(run);
    if (*info_cmd) return cli::info_command(explain);
    if (*table_cmd) return cli::table_command(query);
    return cli::demo_command();
}
