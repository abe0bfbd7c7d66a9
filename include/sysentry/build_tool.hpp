// Runs an assembler, compiler or linker for sysentry (the CLI's .s/.asm
// programs, the grader's submissions and kernels) with its output kept.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace sysentry {

struct ToolRun {
    int status;          // exit status; -1 when it could not run or was killed
    std::string output;  // stdout and stderr together, or why it could not run
};

// `args[0]` is looked up on PATH; stdin is /dev/null; stdout and stderr go to
// `log`, which is read back into `output`.
ToolRun run_build_tool(const std::vector<std::string>& args, const std::filesystem::path& log);

}  // namespace sysentry
