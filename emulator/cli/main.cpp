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

    // Each subcommand registers its own options and action (one file each).
    std::vector<cli::Subcommand> commands = {
        cli::add_run_command(app),
        cli::add_info_command(app),
        cli::add_table_command(app),
        cli::add_abi_command(app),
        cli::add_timeline_command(app),
        cli::add_step_command(app),
        cli::add_grade_command(app),
        cli::add_lesson_command(app),
        cli::add_gdbserver_command(app),
    };

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        for (const cli::Subcommand& c : commands)
            if (rc != 0 && argc > 1 && c.app->check_name(argv[1])) return c.usage_status;
        return rc == 0 ? 0 : kExitUsageStatus;
    }
    for (const cli::Subcommand& c : commands)
        if (c.app->parsed()) return c.run();
    return cli::demo_command();
}
