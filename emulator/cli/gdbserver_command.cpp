// `sysentry gdbserver [--port N] PROGRAM [ARGS]`: a gdb remote stub on
// 127.0.0.1, so a real gdb can `target remote :N` and step through ring 0.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstdio>

#include "sysentry/cli.hpp"
#include "sysentry/execution_controller.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/gdb_server.hpp"
#include "sysentry/gdb_stub.hpp"

namespace sysentry::cli {

namespace {

struct GdbServerOptions {
    std::string program;
    std::vector<std::string> args;
    uint16_t port = 0;
    int accept_timeout_s = 60;
    std::optional<std::string> stdin_file;
};

int gdbserver_command(const GdbServerOptions& o) {
    auto program = load_named_program(o.program, o.args, true);  // replay needs a fixed environment
    if (!program) return program.error();
    ControllerOptions co;
    co.stdin_file = o.stdin_file;
    co.max_instructions = 5'000'000;  // a continue's slice: gdb's Ctrl-C is read between slices
    auto controller = ExecutionController::start(std::move(*program), co);
    if (!controller) {
        fmt::print(stderr, "sysentry: {}: {}\n", o.program, controller.error());
        return kExitCannotRunStatus;
    }
    gdb::Stub stub(**controller);
    gdb::ServerOptions so;
    so.port = o.port;
    so.accept_timeout_s = o.accept_timeout_s;
    so.on_listening = [](uint16_t port) {
        fmt::print(stderr, "sysentry: gdbserver listening on 127.0.0.1:{} (in gdb: target remote :{})\n", port, port);
        std::fflush(stderr);
    };
    if (auto r = gdb::serve(stub, so); !r) {
        fmt::print(stderr, "sysentry: gdbserver: {}\n", r.error());
        return kExitUsageStatus;
    }
    return (*controller)->end() ? exit_status_of(*(*controller)->end()) : 0;  // 0: gdb left before the end
}

}  // namespace

Subcommand add_gdbserver_command(CLI::App& app) {
    auto options = std::make_shared<GdbServerOptions>();
    GdbServerOptions& o = *options;
    auto* cmd = app.add_subcommand("gdbserver", "Serve a program to gdb (target remote) on 127.0.0.1");
    cmd->add_option("--port", o.port, "TCP port on 127.0.0.1 (default: a free one, printed on stderr)");
    cmd->add_option("--accept-timeout", o.accept_timeout_s, "Seconds to wait for gdb to connect")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--stdin", o.stdin_file, "The guest's standard input (default: /dev/null)")
        ->check(CLI::ExistingFile);
    add_program_arguments(*cmd, o.program, o.args);
    return {cmd, [options] { return gdbserver_command(*options); }};
}

}  // namespace sysentry::cli
