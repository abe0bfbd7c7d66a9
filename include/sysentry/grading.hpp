// Grading one submission against a lesson: build it, run every trial under
// the lesson's limits, evaluate the checks, and collect the diagnostics. The
// report is plain data (and JSON, which is how a batch's forked workers hand
// it back).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sysentry/lesson.hpp"

namespace sysentry::grading {

struct CheckResult {
    std::string name;
    double points = 0, max_points = 0;
    bool passed = false;
    std::string message;  // what was seen, when it failed
    std::string trial;    // the trial it failed in
    std::string hint;
    bool hidden = false;
};

struct Finding {
    std::string id, explanation, evidence;
    std::string trial;
    std::string lesson;  // the lesson that teaches it, or ""
};

struct TrialSummary {
    std::string name;
    std::string ending;  // "exited with status 0", "instruction limit (1000) reached"
    uint64_t instructions = 0;
    double seconds = 0;
    std::map<std::string, std::string> variables;  // the seed's draws
};

enum class SubmissionStatus { graded, build_error, internal_error };

struct SubmissionReport {
    std::string submission;  // the path as given
    std::string lesson;
    uint64_t seed = 0;
    SubmissionStatus status = SubmissionStatus::graded;
    std::string error;  // the build or internal error, one or two lines
    std::vector<CheckResult> checks;
    std::vector<Finding> findings;
    std::vector<TrialSummary> trials;
    double score = 0, max_score = 0;
    double build_seconds = 0, run_seconds = 0;

    bool all_passed() const { return status == SubmissionStatus::graded && score == max_score; }
};

void to_json(nlohmann::json& j, const SubmissionReport& r);
void from_json(const nlohmann::json& j, SubmissionReport& r);
std::string_view to_string(SubmissionStatus s);

struct GradeOptions {
    uint64_t seed = 1;
    std::optional<std::filesystem::path> harness_object;  // built once for a batch; else built here
    std::map<std::string, std::string> teaching_lesson;   // diagnostic id -> lesson id
};

// Which lesson under `root` teaches each diagnostic (the first, by id).
std::map<std::string, std::string> teaching_lessons(const std::filesystem::path& root);

SubmissionReport grade_submission(const Lesson& lesson, const std::filesystem::path& file, const GradeOptions& options);

// The command's exit status for these reports: an internal error outranks a
// build error, which outranks a failed check (exit_status.hpp).
int grade_exit_status(const std::vector<SubmissionReport>& reports);

}  // namespace sysentry::grading
