// Grading many submissions at once: each in its own forked worker (a crash, a
// hang or an engine error is that submission's failure, never the batch's),
// `jobs` at a time, with a progress bar on a terminal and a summary.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "sysentry/grading.hpp"

namespace sysentry::grading {

struct BatchOptions {
    unsigned jobs = 1;
    bool progress = false;  // a progress bar on stderr
    GradeOptions grade;
};

struct BatchSummary {
    size_t submissions = 0, all_passed = 0, some_failed = 0, build_errors = 0, internal_errors = 0;
    double mean_score = 0, max_score = 0;
    double wall_seconds = 0;   // the whole batch
    double build_seconds = 0;  // assembler + linker, summed over submissions
    double run_seconds = 0;    // emulator, summed over submissions
};

// The submissions in a directory: .s, .S, .asm, .nasm, .c files and ELF files, by name.
std::vector<std::filesystem::path> submissions_in(const std::filesystem::path& dir);

// Reports in the order of `files`.
std::vector<SubmissionReport> grade_batch(const Lesson& lesson, const std::vector<std::filesystem::path>& files,
                                          const BatchOptions& options, BatchSummary& summary);

std::string summary_text(const BatchSummary& s);
// DIR/grade-summary.csv (one row per submission) and DIR/grade-summary.json.
bool write_summary_files(const std::vector<SubmissionReport>& reports, const BatchSummary& s,
                         const std::filesystem::path& dir);

}  // namespace sysentry::grading
