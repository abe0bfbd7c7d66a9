// `sysentry grade --lesson ID FILE-or-DIR...`: grade submissions against a
// lesson, in the format an autograder reads. Several files or a directory make
// a batch: parallel forked workers, a progress bar, a summary and CSV/JSON files.
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/grade_batch.hpp"
#include "sysentry/grade_formats.hpp"

namespace sysentry::cli {

namespace fs = std::filesystem;
using namespace grading;

namespace {

struct GradeCommandOptions {
    std::string lesson;
    std::string format = "text";
    std::optional<uint64_t> seed;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    std::optional<std::string> lessons_root;
    std::optional<std::string> output;
    std::string summary_dir = ".";
    std::vector<std::string> inputs;
};

uint64_t fresh_seed() { return std::random_device{}() % 1'000'000; }

std::expected<std::vector<fs::path>, std::string> expand_inputs(const std::vector<std::string>& inputs, bool& batch) {
    std::vector<fs::path> files;
    batch = inputs.size() > 1;
    for (auto& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            batch = true;
            auto found = submissions_in(in);
            if (found.empty()) return std::unexpected(fmt::format("{}: no submissions (.s, .S, .asm, .c or ELF)", in));
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.emplace_back(in);  // a missing file is that submission's build error
        }
    }
    return files;
}

int grade_command(const GradeCommandOptions& o) {
    auto format = report_format(o.format);
    if (!format) {
        fmt::print(stderr, "sysentry grade: --format is text, json, gradescope, junit or tap\n");
        return kGradeUsage;
    }
    fs::path root = o.lessons_root ? fs::path(*o.lessons_root) : default_lessons_root();
    auto lesson = find_lesson(o.lesson, root);
    if (!lesson) {
        fmt::print(stderr, "sysentry grade: {}\n", lesson.error());
        return kGradeUsage;
    }
    bool batch = false;
    auto files = expand_inputs(o.inputs, batch);
    if (!files) {
        fmt::print(stderr, "sysentry grade: {}\n", files.error());
        return kGradeUsage;
    }
    BatchOptions bo{o.jobs, batch && isatty(STDERR_FILENO), {o.seed.value_or(fresh_seed()), std::nullopt, teaching_lessons(root)}};
    BatchSummary summary;
    auto reports = grade_batch(*lesson, *files, bo, summary);
    std::string text = format_reports(reports, *format);
    if (o.output) {
        std::ofstream out(*o.output);
        if (!(out << text)) {
            fmt::print(stderr, "sysentry grade: {}: cannot write\n", *o.output);
            return kGradeUsage;
        }
    } else {
        fmt::print("{}", text);
    }
    if (batch) {
        fmt::print(stderr, "{}", summary_text(summary));
        if (!write_summary_files(reports, summary, o.summary_dir))
            fmt::print(stderr, "sysentry grade: cannot write the summary files in {}\n", o.summary_dir);
        else
            fmt::print(stderr, "summary: {0}/grade-summary.csv, {0}/grade-summary.json\n", o.summary_dir);
    }
    return grade_exit_status(reports);
}

}  // namespace

Subcommand add_grade_command(CLI::App& app) {
    auto options = std::make_shared<GradeCommandOptions>();
    GradeCommandOptions& o = *options;
    auto* cmd = app.add_subcommand("grade", "Grade submissions (.s, .S, .asm, .c, static ELF, or directories of them) "
                                            "against a lesson; exit 0 all passed, 1 failed, 2 usage, 3 build, 4 internal");
    cmd->add_option("--lesson", o.lesson, "The lesson: an id (sysentry lesson list) or a lesson folder")->required();
    cmd->add_option("--format", o.format, "text (default), json, gradescope, junit or tap");
    cmd->add_option("--seed", o.seed, "Seed for randomised trials (default: a fresh one, printed in the report)");
    cmd->add_option("-j,--jobs", o.jobs, "Submissions graded in parallel (default: the number of cores)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--lessons", o.lessons_root, "Folder of lessons (default: $SYSENTRY_LESSONS or the built-in ones)");
    cmd->add_option("-o,--output", o.output, "Write the report to FILE instead of stdout");
    cmd->add_option("--summary-dir", o.summary_dir, "Where a batch writes grade-summary.csv and .json (default: .)");
    cmd->add_option("submissions", o.inputs, "Files or directories to grade")->required();
    return {cmd, [options] { return grade_command(*options); }, kGradeUsage};
}

}  // namespace sysentry::cli
