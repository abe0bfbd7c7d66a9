// The trailing `PROGRAM [ARGS]` that run, step, timeline and gdbserver share:
// everything after PROGRAM belongs to the guest, options included.
#include <CLI/CLI.hpp>

#include "sysentry/cli.hpp"

namespace sysentry::cli {

void add_program_arguments(CLI::App& cmd, std::string& program, std::vector<std::string>& args) {
    cmd.add_option("program", program, "The program: a static ELF, GNU as source (.s/.S) or NASM source (.asm)")
        ->required();
    cmd.add_option("args", args, "Arguments for the program");
    cmd.prefix_command(false);
    cmd.positionals_at_end(true);
}

}  // namespace sysentry::cli
