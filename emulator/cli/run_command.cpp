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
#include "sysentry/instruction_budget.hpp"
#include "sysentry/function_tracer.hpp"
#include "sysentry/run_outputs.hpp"
#include "sysentry/session.hpp"
#include "sysentry/strace_printer.hpp"
#include "sysentry/trace_filter.hpp"
#include "sysentry/strace_summary.hpp"


namespace sysentry::cli {

// Prints kernel warnings (unimplemented syscalls) as they happen.
class WarningPrinter final : public EventSink {
public:
    void on_event(const Event& e) override {
        if (auto* w = std::get_if<WarningEvent>(&e)) fmt::print(stderr, "sysentry: warning: {}\n", w->text);
    }
};

// strace's "-e trace=SET" (names, %classes, '!' to negate): parse_trace_set.
// An empty selection ("none") still filters: the sentinel matches no call.
static std::expected<std::set<std::string>, std::string> trace_filter_names(const std::string& spec) {
    constexpr std::string_view kPrefix = "trace=";
    if (!spec.starts_with(kPrefix)) return std::unexpected("only trace=SET is supported");
    auto names = parse_trace_set(std::string_view(spec).substr(kPrefix.size()));
    if (names && names->empty()) names->insert("");
    return names;
}

// The session a run's options ask for.
static SessionOptions session_options(const RunOptions& o) {
    SessionOptions so;
    if (o.root) so.root = *o.root;
    so.writable_root = o.writable_root;
    if (o.kernel) {
        std::ifstream in(*o.kernel, std::ios::binary);
        so.kernel_elf.emplace((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    so.kernel_profile = parse_kernel_profile(o.kernel_profile).value_or(KernelProfile::seed);
    so.kernel.deterministic = o.deterministic;
    so.kernel.max_processes = o.max_procs;
    so.kernel.memory_limit = o.mem_limit_mib << 20;
    return so;
}

// --ftrace's list: "*" (the default set) is the empty list.
static std::set<std::string> ftrace_names(const std::string& spec) {
    std::set<std::string> names;
    std::istringstream list(spec == "*" ? "" : spec);
    for (std::string name; std::getline(list, name, ',');)
        if (!name.empty()) names.insert(name);
    return names;
}

// The run's end as an exit status, with the one line that explains it. A
// trace on stderr has already said how a killed guest ended.
static int exit_status(const RunResult& result, const RunOptions& o, bool traced_on_stderr) {
    switch (result.kind) {
    case RunResult::Kind::exited: break;
    case RunResult::Kind::killed:
        if (!traced_on_stderr) fmt::print(stderr, "+++ killed by {} +++\n", signal_name(result.signal));
        break;
    case RunResult::Kind::oops: fmt::print(stderr, "{}", result.detail); break;
    case RunResult::Kind::limit:
        if (o.timeout_s && result.detail == "time limit reached")
            fmt::print(stderr, "sysentry: time limit reached after {} s: the guest was stopped\n", o.timeout_s);
        else
            fmt::print(stderr, "sysentry: {}: the guest was stopped\n", result.detail);
        break;
    case RunResult::Kind::paused:
    case RunResult::Kind::engine_error: fmt::print(stderr, "sysentry: internal error: {}\n", result.detail); break;
    }
    return exit_status_of(result);
}

int run_command(const RunOptions& o) {
    auto program = load_named_program(o.program, o.args, o.deterministic);
    if (!program) return program.error();
    auto session = Session::create(session_options(o));
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
        if (o.trace_file) tracer->pid_on_every_line();  // as strace -f -o FILE writes it
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
    auto outputs = RunOutputs::attach(s, {o.itrace, o.perfetto, o.timeline_html, o.timeline_strip, o.program});
    if (!outputs) {
        fmt::print(stderr, "sysentry: {}\n", outputs.error());
        return kExitUsageStatus;
    }
    std::optional<FunctionTracer> ftrace;
    if (!o.ftrace.empty()) {
        ftrace.emplace(s.kernel(), *program, ftrace_names(o.ftrace), trace_out);
        if (ftrace->traced().empty()) {
            fmt::print(stderr, "sysentry: --ftrace: {} has none of these functions in its symbol table\n", o.program);
            return kExitUsageStatus;
        }
        s.events().subscribe(&*ftrace, kSyscalls | kExits);
    }
    if (auto r = s.kernel().spawn(*program); !r) {
        fmt::print(stderr, "sysentry: {}: {}\n", o.program, r.error());
        return kExitCannotRunStatus;
    }
    std::optional<InstructionBudget> budget;
    if (o.max_insns) budget.emplace(s.events(), s.kernel(), o.max_insns);
    RunResult result = s.kernel().run({uint64_t(o.timeout_s * 1e6)});
    if (budget && budget->exceeded())
        result = {RunResult::Kind::limit, 0, 0, {}, fmt::format("instruction limit ({}) reached", o.max_insns)};
    if (summary) summary->print(trace_out);
    if (auto r = (*outputs)->finish(); !r) fmt::print(stderr, "sysentry: {}\n", r.error());
    if (trace_out != stderr) std::fclose(trace_out);
    return exit_status(result, o, tracer && trace_out == stderr);
}

Subcommand add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    RunOptions& o = *options;
    auto* cmd = app.add_subcommand("run", "Run a static x86-64 program (ELF, .s/.S or .asm) through the modelled kernel");
    cmd->add_flag("--trace", o.trace, "Print every system call in strace's format on stderr");
    cmd->add_option("-o,--trace-file", o.trace_file, "Write the trace to FILE instead of stderr, each line after its pid (as strace -f -o)");
    cmd->add_flag("-c,--summary", o.summary, "Count calls, errors and wall time per system call, as strace -c -f (zero time with --deterministic)");
    cmd->add_flag("--ftrace{*}", o.ftrace, "ltrace -S: calls to libc's well-known functions (or --ftrace=NAME,...) and the system calls");
    cmd->add_option("-e", o.trace_filter, "Trace only some calls, as strace: -e trace=write,read, trace=%file, trace=!%memory");
    auto* root_option = cmd->add_option("--root", o.root, "Host directory the guest sees as /, never changed without --rw (default: a private one with /proc, /dev, /tmp)")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--rw", o.writable_root, "Let the guest change --root (default: changes stay in a private copy-on-write layer)")
        ->needs(root_option);
    cmd->add_flag("--deterministic", o.deterministic, "Fixed clock, random bytes and hostname: reproducible runs");
    cmd->add_option("--timeout", o.timeout_s, "Stop the guest after SECONDS of wall-clock time")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--max-insns", o.max_insns, "Stop the guest after N instructions (ring 3 and ring 0), exit status 124")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-procs", o.max_procs, "Processes and threads at most; fork beyond it fails with EAGAIN")
        ->check(CLI::Range(1, 1 << 16));
    cmd->add_option("--mem-limit", o.mem_limit_mib, "Address space per process in MiB; mmap beyond it fails with ENOMEM")
        ->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--kernel", o.kernel, "Boot this guest kernel ELF instead of the built-in one")
        ->check(CLI::ExistingFile);
    cmd->add_option("--kernel-profile", o.kernel_profile, "Built-in kernel: seed (the note's syscall_init) or modern (Linux 6.x)")
        ->check(CLI::IsMember({"seed", "modern"}));
    cmd->add_option("--itrace", o.itrace, "Write every executed instruction to FILE: ring, address, symbol, disassembly, changed registers");
    cmd->add_option("--perfetto", o.perfetto, "Write the rings over time as Chrome trace-event JSON to FILE (ui.perfetto.dev)");
    cmd->add_flag("--timeline", o.timeline_strip, "After the run, print a ring-over-time strip on stderr");
    add_program_arguments(*cmd, o.program, o.args);

    return {cmd, [options] { return run_command(*options); }};
}

}  // namespace sysentry::cli
