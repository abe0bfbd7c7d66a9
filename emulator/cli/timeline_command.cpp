// `sysentry timeline PROGRAM [ARGS] -o run.html`: runs the program as `run`
// does and writes the privilege-transition timeline as one HTML page.
#include <CLI/CLI.hpp>

#include "sysentry/cli.hpp"

namespace sysentry::cli {

Subcommand add_timeline_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    RunOptions& o = *options;
    auto* cmd = app.add_subcommand("timeline", "Run a program and draw its ring 3 / ring 0 transitions as an HTML page");
    cmd->add_option("-o,--output", o.timeline_html, "The HTML page to write (self-contained: opens offline)")
        ->required();
    cmd->add_option("--perfetto", o.perfetto, "Also write Chrome trace-event JSON to FILE (ui.perfetto.dev)");
    cmd->add_flag("--timeline", o.timeline_strip, "Also print the ring-over-time strip on stderr");
    cmd->add_flag("--deterministic", o.deterministic, "Fixed clock, random bytes and hostname: reproducible runs");
    cmd->add_option("--root", o.root, "Host directory the guest sees as / (default: a private empty one)")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--timeout", o.timeout_s, "Stop the guest after SECONDS of wall-clock time")
        ->check(CLI::NonNegativeNumber);
    add_program_arguments(*cmd, o.program, o.args);
    return {cmd, [options] { return run_command(*options); }};
}

}  // namespace sysentry::cli
