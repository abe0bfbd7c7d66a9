// `sysentry step PROGRAM [ARGS]`: the interactive stepper. With a terminal,
// commands are read with line editing and history (libedit); with -x FILE or
// a non-terminal stdin, they are read in batch and echoed, so the transcript
// is deterministic and can be pinned by golden files.
#include <editline/readline.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/execution_controller.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/stepper.hpp"

namespace sysentry::cli {

namespace {

struct StepOptions {
    std::string program;
    std::vector<std::string> args;
    std::optional<std::string> commands;   // -x FILE
    std::optional<std::string> stdin_file;
    std::optional<std::string> kernel;
    std::string kernel_profile = "seed";
    uint64_t max_instructions = 50'000'000;
};

constexpr const char* kPrompt = "(sysentry) ";

bool colour_wanted() { return std::getenv("NO_COLOR") == nullptr && isatty(STDOUT_FILENO); }

void show(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// Batch: each command is echoed after the prompt, then its output.
int run_batch(Stepper& stepper, std::istream& in) {
    for (std::string line; !stepper.quit_requested() && std::getline(in, line);) {
        if (line.empty() || line.starts_with('#')) continue;
        show(kPrompt + line + "\n" + stepper.execute(line));
    }
    return 0;
}

// Interactive: libedit's readline, with history; an empty line repeats the
// last command, as in gdb.
int run_interactive(Stepper& stepper) {
    std::string last;
    while (!stepper.quit_requested()) {
        char* raw = readline(kPrompt);
        if (!raw) break;  // end of input
        std::string line = raw;
        std::free(raw);
        if (line.empty()) line = last;
        else add_history(line.c_str());
        if (line.empty()) continue;
        last = line;
        show(stepper.execute(line));
    }
    return 0;
}

int step_command(const StepOptions& o) {
    auto program = load_named_program(o.program, o.args, true);  // replay needs a fixed environment
    if (!program) return program.error();
    std::ifstream script;
    if (o.commands) {
        script.open(*o.commands);
        if (!script) {
            fmt::print(stderr, "sysentry: {}: cannot read the commands\n", *o.commands);
            return kExitUsageStatus;
        }
    }
    ControllerOptions co;
    co.stdin_file = o.stdin_file;
    co.max_instructions = o.max_instructions;
    co.session.kernel_profile = parse_kernel_profile(o.kernel_profile).value_or(KernelProfile::seed);
    if (o.kernel) {
        std::ifstream in(*o.kernel, std::ios::binary);
        co.session.kernel_elf.emplace((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    const ElfImage image = program->image;
    auto controller = ExecutionController::start(std::move(*program), co);
    if (!controller) {
        fmt::print(stderr, "sysentry: {}: {}\n", o.program, controller.error());
        return kExitCannotRunStatus;
    }
    const bool batch = o.commands || !isatty(STDIN_FILENO);
    Stepper stepper(**controller, image, StepperOptions{colour_wanted() && !batch});
    show(stepper.where());
    if (o.commands) return run_batch(stepper, script);
    if (batch) return run_batch(stepper, std::cin);
    return run_interactive(stepper);
}

}  // namespace

Subcommand add_step_command(CLI::App& app) {
    auto options = std::make_shared<StepOptions>();
    StepOptions& o = *options;
    auto* cmd = app.add_subcommand("step", "Step a program one instruction at a time, through ring 0 and back");
    cmd->add_option("-x", o.commands, "Read commands from FILE (batch mode; also when stdin is not a terminal)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--stdin", o.stdin_file, "The guest's standard input (default: /dev/null)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--kernel", o.kernel, "Boot this guest kernel ELF instead of the built-in one")
        ->check(CLI::ExistingFile);
    cmd->add_option("--kernel-profile", o.kernel_profile,
                    "Built-in kernel: seed (the note's syscall_init) or modern (Linux 6.x)")
        ->check(CLI::IsMember({"seed", "modern"}));
    cmd->add_option("--max-insns", o.max_instructions, "Instructions one command may run at most")
        ->check(CLI::PositiveNumber);
    add_program_arguments(*cmd, o.program, o.args);
    return {cmd, [options] { return step_command(*options); }};
}

}  // namespace sysentry::cli
