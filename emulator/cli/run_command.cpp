#include <unistd.h>

#include <cstdio>
#include <expected>
#include <set>
#include <sstream>
#include <fstream>
#include <iterator>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/exceptions.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/program_source.hpp"
#include "sysentry/session.hpp"
#include "sysentry/strace_printer.hpp"
#include "sysentry/strace_summary.hpp"

extern char** environ;

namespace sysentry::cli {

static std::vector<std::string> guest_environment(bool deterministic) {
    if (deterministic) return {"PATH=/bin:/usr/bin", "HOME=/", "TERM=dumb", "LANG=C"};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    return env;
}

static int program_error_status(const ProgramError& e) {
    switch (e.kind) {
    case ProgramError::Kind::not_found: return kExitNotFoundStatus;
    default: return kExitCannotRunStatus;
    }
}

// Prints kernel warnings (unimplemented syscalls) as they happen.
class WarningPrinter final : public EventSink {
public:
    void on_event(const Event& e) override {
        if (auto* w = std::get_if<WarningEvent>(&e)) fmt::print(stderr, "sysentry: warning: {}\n", w->text);
    }
};

// strace's "-e trace=a,b,c": the names, each checked against the x86-64 table.
static std::expected<std::set<std::string>, std::string> trace_filter_names(const std::string& spec) {
    constexpr std::string_view kPrefix = "trace=";
    if (!spec.starts_with(kPrefix)) return std::unexpected("only trace=NAME[,NAME...] is supported");
    std::set<std::string> names;
    std::istringstream list(spec.substr(kPrefix.size()));
    for (std::string name; std::getline(list, name, ',');) {
        if (!syscall_number(SyscallAbi::x86_64, name)) return std::unexpected(fmt::format("invalid system call '{}'", name));
        names.insert(name);
    }
    if (names.empty()) return std::unexpected("no system call named");
    return names;
}

int run_command(const RunOptions& o) {
    std::vector<std::string> argv{o.program};
    argv.insert(argv.end(), o.args.begin(), o.args.end());
    auto program = prepare_program(o.program, argv, guest_environment(o.deterministic));
    if (!program) {
        fmt::print(stderr, "sysentry: {}\n", program.error().message);
        return program_error_status(program.error());
    }
    SessionOptions so;
    if (o.root) so.root = *o.root;
    if (o.kernel) {
        std::ifstream in(*o.kernel, std::ios::binary);
        so.kernel_elf.emplace((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    so.kernel.deterministic = o.deterministic;
    so.kernel.max_processes = o.max_procs;
    so.kernel.memory_limit = o.mem_limit_mib << 20;
    auto session = Session::create(so);
    if (!session) {
        fmt::print(stderr, "sysentry: {}\n", session.error());
        return kExitUsageStatus;
    }
    Session& s = **session;
    WarningPrinter warnings;
    s.events().subscribe(&warnings, kWarnings);

    FILE* trace_out = stderr;
    if (o.trace_file && !(trace_out = std::fopen(o.trace_file->c_str(), "w"))) {
        fmt::print(stderr, "sysentry: {}: cannot write the trace\n", *o.trace_file);
        return kExitUsageStatus;
    }
    std::optional<StracePrinter> tracer;
    std::optional<StraceSummary> summary;
    if (o.summary) {
        summary.emplace(!o.deterministic);
        s.events().subscribe(&*summary, kSyscalls);
    } else if (o.trace || o.trace_file || o.trace_filter) {
        tracer.emplace(trace_out);
        if (o.trace_filter) {
            auto names = trace_filter_names(*o.trace_filter);
            if (!names) {
                fmt::print(stderr, "sysentry: -e {}: {}\n", *o.trace_filter, names.error());
                return kExitUsageStatus;
            }
            tracer->only(std::move(*names));
        }
        s.events().subscribe(&*tracer, kSyscalls | kFaults | kExits);
    }
    if (auto r = s.kernel().spawn(*program); !r) {
        fmt::print(stderr, "sysentry: {}: {}\n", o.program, r.error());
        return kExitCannotRunStatus;
    }
    RunResult result = s.kernel().run({uint64_t(o.timeout_s * 1e6)});
    if (summary) summary->print(trace_out);
    if (trace_out != stderr) std::fclose(trace_out);
    switch (result.kind) {
    case RunResult::Kind::exited: return result.exit_code;
    case RunResult::Kind::killed:
        if (!tracer || trace_out != stderr) fmt::print(stderr, "+++ killed by {} +++\n", signal_name(result.signal));
        return kSignalExitBase + result.signal;
    case RunResult::Kind::oops: fmt::print(stderr, "{}", result.detail); return kExitOopsStatus;
    case RunResult::Kind::limit:
        if (o.timeout_s && result.detail == "time limit reached")
            fmt::print(stderr, "sysentry: time limit reached after {} s: the guest was stopped\n", o.timeout_s);
        else
            fmt::print(stderr, "sysentry: {}: the guest was stopped\n", result.detail);
        return kExitLimitStatus;
    case RunResult::Kind::paused:  // only boot() pauses; run() goes to the end
    case RunResult::Kind::engine_error:
        fmt::print(stderr, "sysentry: internal error: {}\n", result.detail);
        return kExitUsageStatus;
    }
    return kExitUsageStatus;
}

Subcommand add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    RunOptions& o = *options;
    auto* cmd = app.add_subcommand("run", "Run a static x86-64 program (ELF, .s/.S or .asm) through the modelled kernel");
    cmd->add_flag("--trace", o.trace, "Print every system call in strace's format on stderr");
    cmd->add_option("-o,--trace-file", o.trace_file, "Write the trace to FILE instead of stderr (as strace -o)");
    cmd->add_flag("-c,--summary", o.summary, "Count calls, errors and wall time per system call, as strace -c -f (zero time with --deterministic)");
    cmd->add_option("-e", o.trace_filter, "Trace only some calls, as strace: -e trace=write,read");
    cmd->add_option("--root", o.root, "Host directory the guest sees as / (default: a private empty one)")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--deterministic", o.deterministic, "Fixed clock, random bytes and hostname: reproducible runs");
    cmd->add_option("--timeout", o.timeout_s, "Stop the guest after SECONDS of wall-clock time")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--max-procs", o.max_procs, "Processes and threads at most; fork beyond it fails with EAGAIN")
        ->check(CLI::Range(1, 1 << 16));
    cmd->add_option("--mem-limit", o.mem_limit_mib, "Address space per process in MiB; mmap beyond it fails with ENOMEM")
        ->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--kernel", o.kernel, "Boot this guest kernel ELF instead of the built-in one")
        ->check(CLI::ExistingFile);
    cmd->add_option("program", o.program, "The program: a static ELF, GNU as source (.s/.S) or NASM source (.asm)")
        ->required();
    cmd->add_option("args", o.args, "Arguments for the program");
    cmd->prefix_command(false);
    cmd->positionals_at_end(true);

    return {cmd, [options] { return run_command(*options); }};
}

}  // namespace sysentry::cli
