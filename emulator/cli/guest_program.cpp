// The guest program named on the command line, shared by run, step, timeline
// and gdbserver: the trailing PROGRAM [ARGS], loading it (with a one-line
// error and its status), and what the guest's end means as an exit status.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

#include "sysentry/cli.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/program_source.hpp"

extern char** environ;

namespace sysentry::cli {

void add_program_arguments(CLI::App& cmd, std::string& program, std::vector<std::string>& args) {
    cmd.add_option("program", program, "The program: a static ELF, GNU as source (.s/.S) or NASM source (.asm)")
        ->required();
    cmd.add_option("args", args, "Arguments for the program");
    cmd.prefix_command(false);
    cmd.positionals_at_end(true);
}

// A fixed environment keeps runs reproducible (and replayable); otherwise the host's.
static std::vector<std::string> guest_environment(bool fixed) {
    if (fixed) return {"PATH=/bin:/usr/bin", "HOME=/", "TERM=dumb", "LANG=C"};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    return env;
}

std::expected<Program, int> load_named_program(const std::string& path, const std::vector<std::string>& args,
                                               bool fixed_environment) {
    std::vector<std::string> argv{path};
    argv.insert(argv.end(), args.begin(), args.end());
    auto program = prepare_program(path, argv, guest_environment(fixed_environment));
    if (program) return std::move(*program);
    fmt::print(stderr, "sysentry: {}\n", program.error().message);
    return std::unexpected(program.error().kind == ProgramError::Kind::not_found ? kExitNotFoundStatus
                                                                                  : kExitCannotRunStatus);
}

int exit_status_of(const RunResult& result) {
    switch (result.kind) {
    case RunResult::Kind::exited: return result.exit_code;
    case RunResult::Kind::killed: return kSignalExitBase + result.signal;
    case RunResult::Kind::oops: return kExitOopsStatus;
    case RunResult::Kind::limit: return kExitLimitStatus;
    case RunResult::Kind::paused:  // only boot() pauses; run() goes to the end
    case RunResult::Kind::engine_error: return kExitUsageStatus;
    }
    return kExitUsageStatus;
}

}  // namespace sysentry::cli
