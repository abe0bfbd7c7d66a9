// Turns what the user named on the command line into a loadable program: a
// static ELF as it is, or GNU as / NASM source assembled and linked first.
#pragma once
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "sysentry/kernel.hpp"

namespace sysentry {

struct ProgramError {
    enum class Kind { not_found, cannot_build, not_runnable } kind;
    std::string message;  // one line, ready for stderr
};

enum class SourceKind { elf, gnu_as, nasm };
SourceKind source_kind(const std::filesystem::path& path);  // by extension: .s/.S, .asm, else ELF

// `guest_path` is how the program appears to itself (argv[0], AT_EXECFN, /proc/self/exe).
std::expected<Program, ProgramError> prepare_program(const std::filesystem::path& path,
                                                     std::vector<std::string> argv,
                                                     std::vector<std::string> envp);

}  // namespace sysentry
