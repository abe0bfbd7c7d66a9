// The sysentry command line: each subcommand lives in its own file and
// registers its options with CLI11; its action returns the process exit status.
// main() only lists the subcommands, parses and dispatches.
#pragma once
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sysentry/exit_status.hpp"

namespace CLI {
class App;
}

namespace sysentry::cli {

struct Subcommand {
    CLI::App* app;               // the parsed subcommand, owned by the top-level App
    std::function<int()> run;    // its action, with its options bound
    int usage_status = kExitUsageStatus;  // for a bad command line (grade and lesson: kGradeUsage)
};

// PROGRAM [ARGS] at the end of a subcommand's command line.
void add_program_arguments(CLI::App& cmd, std::string& program, std::vector<std::string>& args);

Subcommand add_run_command(CLI::App& app);
Subcommand add_info_command(CLI::App& app);
Subcommand add_table_command(CLI::App& app);
Subcommand add_abi_command(CLI::App& app);
Subcommand add_timeline_command(CLI::App& app);
Subcommand add_step_command(CLI::App& app);
Subcommand add_grade_command(CLI::App& app);
Subcommand add_lesson_command(CLI::App& app);
Subcommand add_gdbserver_command(CLI::App& app);

struct RunOptions {
    std::string program;
    std::vector<std::string> args;   // argv[1..] for the guest
    bool trace = false;              // strace-format trace on stderr
    bool summary = false;            // strace -c: a table instead of lines
    std::optional<std::string> trace_file;
    std::optional<std::string> trace_filter;  // strace's -e: "trace=write,read"
    std::string ftrace;  // ltrace -S: "" off, "*" the default functions, or "puts,malloc"
    std::optional<std::string> root;
    bool writable_root = false;      // --rw: the guest's changes land in --root
    bool deterministic = false;
    double timeout_s = 0;
    uint64_t max_insns = 0;          // 0: no instruction limit
    std::optional<std::string> kernel;  // a guest kernel ELF to boot instead of the built-in one
    std::string kernel_profile = "seed";  // which built-in kernel: "seed" or "modern" syscall_init
    int max_procs = 256;
    uint64_t mem_limit_mib = 4096;
    std::optional<std::string> itrace;    // every executed instruction, to this file
    std::optional<std::string> perfetto;  // Chrome trace-event JSON of the rings over time
    std::optional<std::string> timeline_html;  // the self-contained timeline page
    bool timeline_strip = false;          // the ring-over-time strip on stderr after the run
};

int run_command(const RunOptions& options);
int demo_command();

}  // namespace sysentry::cli

namespace sysentry {
struct Program;
struct RunResult;
namespace cli {
// The program named on the command line, assembled if it is source, with
// PROGRAM as argv[0]. On failure the error is printed and the exit status
// (127 not found, 126 cannot run) returned.
std::expected<Program, int> load_named_program(const std::string& path, const std::vector<std::string>& args,
                                               bool fixed_environment);
// A finished run as sysentry's exit status (the guest's own, 128+signo, 123, 124, 125).
int exit_status_of(const RunResult& result);
// The seed example embedded in the binary: the demo, and what `info` boots.
std::expected<Program, std::string> builtin_demo_program();
}

}  // namespace sysentry::cli
