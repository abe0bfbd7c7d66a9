// A lesson as lessons/<id>/lesson.toml describes it (lessons/SPEC.md): what
// the student writes, the trials a submission runs and the checks that earn
// points. Loading validates every key, so a typo is an error, never a check
// silently dropped.
#pragma once
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sysentry::grading {

// quiz: the submission is an answer file, compared with a run of `program`.
enum class LessonSide { user, kernel, quiz };

struct Limits {
    uint64_t instructions = 10'000'000;  // ring-3 instructions per trial
    double wall_seconds = 5.0;           // per trial
    uint64_t memory_mib = 256;           // address space per process, as RLIMIT_AS
    uint64_t output_bytes = 1 << 20;     // stdout + stderr per trial
};

// A variable drawn from the seed: `${name}` and `${#name}` in a trial's strings.
struct RandomVariable {
    std::string name;
    enum class Kind { word, integer } kind;
    int64_t min, max;
};

struct Trial {
    std::string name;
    std::vector<std::string> argv;  // argv[1..]
    std::string stdin_text;
    std::map<std::string, std::string> files;  // guest path (relative to /) -> content
    std::optional<size_t> short_reads;         // each read of stdin returns at most this much
    std::vector<RandomVariable> random;
};

// One [[checks]] entry: the common keys, and the kind's own keys as JSON
// (strings may hold ${var}, substituted per trial).
struct CheckSpec {
    std::string name, kind, hint;
    double points = 0;
    std::vector<std::string> trials;  // empty: all
    bool hidden = false;
    nlohmann::json params;            // the kind's keys
};

struct Lesson {
    std::filesystem::path dir;
    std::string id, title, summary;
    LessonSide side = LessonSide::user;
    std::string starter, solution;
    std::optional<std::string> harness;       // a C file linked with the submission
    std::vector<std::string> harness_calls;   // harness functions the student calls
    bool harness_includes_submission = false; // harness.c does #include SUBMISSION (a C submission)
    std::vector<std::string> cflags;          // for C: the submission and the harness
    std::vector<std::string> must_fail;       // known-bad submissions (lesson files) the tests grade
    std::optional<std::string> program;       // kernel side: the user program to run
    std::optional<std::string> replaces;      // kernel side: the guest/kernel source the submission stands for
    std::vector<std::string> kernel_sources;  // kernel side: lesson files assembled into the kernel too
    std::vector<std::string> teaches;         // diagnostic ids this lesson explains
    std::vector<std::string> silence;         // diagnostics not looked for (the harness does it on purpose)
    Limits limits;
    std::vector<Trial> trials;
    std::vector<CheckSpec> checks;

    double max_points() const;
    std::string readme() const;  // README.md, or "" when there is none
};

// Loads and validates lessons/<id>/lesson.toml; the message names the file and line.
std::expected<Lesson, std::string> load_lesson(const std::filesystem::path& dir);
// The same from the text of a lesson.toml; files it names are looked up in `dir`.
std::expected<Lesson, std::string> parse_lesson_text(std::string_view text, const std::filesystem::path& dir);

// Where lessons live: $SYSENTRY_LESSONS, else the source tree's lessons/.
std::filesystem::path default_lessons_root();
// Every lesson folder under `root` (those with a lesson.toml), by id.
std::vector<std::filesystem::path> lesson_dirs(const std::filesystem::path& root);
// A lesson named by id (under `root`) or by the path of its folder.
std::expected<Lesson, std::string> find_lesson(const std::string& id_or_dir, const std::filesystem::path& root);

}  // namespace sysentry::grading
