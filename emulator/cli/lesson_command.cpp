// `sysentry lesson list|show|start|check`: the student's side of the lessons.
// `check` runs the same grader as `sysentry grade`, with hints.
#include <fstream>
#include <random>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/diagnostics.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/grade_batch.hpp"
#include "sysentry/grade_formats.hpp"

namespace sysentry::cli {

namespace fs = std::filesystem;
using namespace grading;

namespace {

struct LessonCommandOptions {
    std::optional<std::string> lessons_root;
    std::string id;
    std::string dir = ".";
    std::string file;
    std::optional<uint64_t> seed;
    bool diagnostics = false;
};

fs::path root_of(const LessonCommandOptions& o) {
    return o.lessons_root ? fs::path(*o.lessons_root) : default_lessons_root();
}

int list_lessons(const LessonCommandOptions& o) {
    if (o.diagnostics) {
        auto teaching = teaching_lessons(root_of(o));
        for (const Diagnostic& d : diagnostic_catalogue()) {
            auto t = teaching.find(std::string(d.id));
            fmt::print("{:<20} {}{}\n", d.id, d.explanation, t == teaching.end() ? "" : " [lesson " + t->second + "]");
        }
        return 0;
    }
    int status = 0;
    for (const fs::path& dir : lesson_dirs(root_of(o))) {
        auto lesson = load_lesson(dir);
        if (!lesson) {
            fmt::print(stderr, "sysentry lesson: {}\n", lesson.error());
            status = kGradeInternalError;
            continue;
        }
        constexpr const char* kSideNames[] = {"user", "kernel", "quiz"};  // LessonSide's order
        fmt::print("{:<20} {:<6} {}\n{:<27}  {}\n", lesson->id, kSideNames[int(lesson->side)], lesson->title, "",
                   lesson->summary);
    }
    return status;
}

int show_lesson(const LessonCommandOptions& o) {
    auto lesson = find_lesson(o.id, root_of(o));
    if (!lesson) {
        fmt::print(stderr, "sysentry lesson: {}\n", lesson.error());
        return kGradeUsage;
    }
    const Lesson& l = *lesson;
    fmt::print("{} — {}\n{}\n\n", l.id, l.title, l.summary);
    if (std::string readme = l.readme(); !readme.empty()) fmt::print("{}\n", readme);
    fmt::print("Checks ({:g} points):\n", l.max_points());
    for (auto& c : l.checks) fmt::print("  {:>3g}  {}\n", c.points, c.hidden ? "(hidden)" : c.name);
    fmt::print("Limits: {} instructions, {:g} s, {} MiB, {} bytes of output per trial; {} trial(s)\n",
               l.limits.instructions, l.limits.wall_seconds, l.limits.memory_mib, l.limits.output_bytes, l.trials.size());
    fmt::print("Start:  sysentry lesson start {} [DIR]\n", l.id);
    return 0;
}

int start_lesson(const LessonCommandOptions& o) {
    auto lesson = find_lesson(o.id, root_of(o));
    if (!lesson) {
        fmt::print(stderr, "sysentry lesson: {}\n", lesson.error());
        return kGradeUsage;
    }
    std::error_code ec;
    fs::create_directories(o.dir, ec);
    fs::path to = fs::path(o.dir) / (lesson->id + fs::path(lesson->starter).extension().string());
    if (fs::exists(to, ec)) {
        fmt::print(stderr, "sysentry lesson: {} exists; not overwriting it\n", to.string());
        return kGradeUsage;
    }
    if (!fs::copy_file(lesson->dir / lesson->starter, to, ec)) {
        fmt::print(stderr, "sysentry lesson: cannot write {}: {}\n", to.string(), ec.message());
        return kGradeUsage;
    }
    fmt::print("{}: {}\nEdit {}, then check it with:\n  sysentry lesson check {} {}\n", lesson->id, lesson->title,
               to.string(), lesson->id, to.string());
    return 0;
}

int check_lesson(const LessonCommandOptions& o) {
    auto lesson = find_lesson(o.id, root_of(o));
    if (!lesson) {
        fmt::print(stderr, "sysentry lesson: {}\n", lesson.error());
        return kGradeUsage;
    }
    BatchOptions bo{1, false, {o.seed.value_or(std::random_device{}() % 1'000'000), std::nullopt, teaching_lessons(root_of(o))}};
    BatchSummary summary;
    auto reports = grade_batch(*lesson, {o.file}, bo, summary);
    fmt::print("{}", text_report(reports[0], {.hints = true, .student = true}));
    if (reports[0].all_passed()) fmt::print("All checks pass.\n");
    else if (reports[0].status == SubmissionStatus::graded)
        fmt::print("Replay this exact run with: sysentry lesson check --seed {} {} {}\n", reports[0].seed, o.id, o.file);
    return grade_exit_status(reports);
}

}  // namespace

Subcommand add_lesson_command(CLI::App& app) {
    auto options = std::make_shared<LessonCommandOptions>();
    LessonCommandOptions& o = *options;
    auto* cmd = app.add_subcommand("lesson", "Lessons: list them, show one, start one, check your solution");
    cmd->add_option("--lessons", o.lessons_root, "Folder of lessons (default: $SYSENTRY_LESSONS or the built-in ones)");
    cmd->require_subcommand(1, 1);
    auto* list = cmd->add_subcommand("list", "List the lessons (with --diagnostics: the mistakes the grader detects)");
    list->add_flag("--diagnostics", o.diagnostics, "List the diagnostics instead");
    auto* show = cmd->add_subcommand("show", "Show a lesson: what to do, its checks and limits");
    show->add_option("id", o.id, "The lesson")->required();
    auto* start = cmd->add_subcommand("start", "Copy a lesson's starter file into DIR (default: .)");
    start->add_option("id", o.id, "The lesson")->required();
    start->add_option("dir", o.dir, "Where to put it");
    auto* check = cmd->add_subcommand("check", "Grade your solution, with hints");
    check->add_option("--seed", o.seed, "Replay a run: the seed a report printed");
    check->add_option("id", o.id, "The lesson")->required();
    check->add_option("file", o.file, "Your solution (.s, .S, .asm, .c or a static ELF)")->required();
    return {cmd,
            [options, list, show, start, check] {
                if (list->parsed()) return list_lessons(*options);
                if (show->parsed()) return show_lesson(*options);
                if (start->parsed()) return start_lesson(*options);
                if (check->parsed()) return check_lesson(*options);
                return kGradeUsage;
            },
            kGradeUsage};
}

}  // namespace sysentry::cli
