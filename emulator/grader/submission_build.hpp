// A submission file made runnable: GNU as (.s with `as`, .S through gcc's
// preprocessor), NASM (.asm), C (.c), linked with ld (or gcc when the lesson
// has a C harness), or a prebuilt static ELF taken as it is. Build failures
// carry the tool's own message and the offending source line.
#pragma once
#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "detector.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/lesson.hpp"

namespace sysentry::grading {

struct BuiltSubmission {
    Program program;
    ProgramFacts facts;
    double build_seconds = 0;  // assembler, compiler and linker together
    std::optional<std::vector<uint8_t>> kernel_elf;  // kernel side: the student's guest kernel
};

struct BuildError {
    std::string message;  // "hello.s:7: Error: ...", then the line itself
    bool internal = false;  // the tools could not run at all (not the student's fault)
};

// Compiles the lesson's harness once (to `dir`/harness.o); nullopt when it has none.
std::expected<std::optional<std::filesystem::path>, BuildError> build_harness(const Lesson& lesson,
                                                                              const std::filesystem::path& dir);

// `workdir` is a private scratch directory for this submission.
std::expected<BuiltSubmission, BuildError> build_submission(const Lesson& lesson, const std::filesystem::path& file,
                                                            const std::optional<std::filesystem::path>& harness_object,
                                                            const std::filesystem::path& workdir);

// Kernel side: guest/kernel/*.S with `replaced` (e.g. "entry_64.S") taken from
// `source` instead, plus `extra` sources, each assembled, then linked with
// kernel.ld into `workdir`/kernel.elf. Errors name the student's line.
std::expected<std::filesystem::path, BuildError> build_kernel(const std::filesystem::path& source,
                                                              const std::string& replaced,
                                                              const std::vector<std::filesystem::path>& extra,
                                                              const std::filesystem::path& workdir);

}  // namespace sysentry::grading
