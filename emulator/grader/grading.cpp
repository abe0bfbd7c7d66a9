#include "sysentry/grading.hpp"

#include <chrono>
#include <fstream>

#include <fmt/format.h>

#include "check_kinds.hpp"
#include "submission_build.hpp"
#include "sysentry/diagnostics.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/scratch_root.hpp"
#include "trial_inputs.hpp"
#include "quiz_answers.hpp"
#include "trial_run.hpp"

namespace sysentry::grading {

namespace fs = std::filesystem;

std::string_view to_string(SubmissionStatus s) {
    switch (s) {
    case SubmissionStatus::graded: return "graded";
    case SubmissionStatus::build_error: return "build_error";
    case SubmissionStatus::internal_error: return "internal_error";
    }
    return "internal_error";
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CheckResult, name, points, max_points, passed, message, trial, hint, hidden)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Finding, id, explanation, evidence, trial, lesson)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrialSummary, name, ending, instructions, seconds, variables)

void to_json(nlohmann::json& j, const SubmissionReport& r) {
    j = {{"submission", r.submission}, {"lesson", r.lesson},   {"seed", r.seed},         {"status", to_string(r.status)},
         {"error", r.error},           {"checks", r.checks},   {"findings", r.findings}, {"trials", r.trials},
         {"score", r.score},           {"max_score", r.max_score}, {"build_seconds", r.build_seconds},
         {"run_seconds", r.run_seconds}};
}

void from_json(const nlohmann::json& j, SubmissionReport& r) {
    j.at("submission").get_to(r.submission);
    j.at("lesson").get_to(r.lesson);
    j.at("seed").get_to(r.seed);
    std::string status = j.at("status");
    r.status = status == "graded"        ? SubmissionStatus::graded
               : status == "build_error" ? SubmissionStatus::build_error
                                         : SubmissionStatus::internal_error;
    j.at("error").get_to(r.error);
    j.at("checks").get_to(r.checks);
    j.at("findings").get_to(r.findings);
    j.at("trials").get_to(r.trials);
    j.at("score").get_to(r.score);
    j.at("max_score").get_to(r.max_score);
    j.at("build_seconds").get_to(r.build_seconds);
    j.at("run_seconds").get_to(r.run_seconds);
}

std::map<std::string, std::string> teaching_lessons(const fs::path& root) {
    std::map<std::string, std::string> out;
    for (const fs::path& dir : lesson_dirs(root))
        if (auto lesson = load_lesson(dir))
            for (auto& id : lesson->teaches) out.emplace(id, lesson->id);
    return out;
}

namespace {

bool applies(const CheckSpec& check, const Trial& trial) {
    return check.trials.empty() || std::ranges::find(check.trials, trial.name) != check.trials.end();
}

// Evaluates every check that applies to this trial; a check keeps its first failure.
void evaluate(const Lesson& lesson, const Trial& trial, const Bindings& vars, const TrialObservation& o,
              std::vector<CheckResult>& results) {
    for (size_t i = 0; i < lesson.checks.size(); ++i) {
        const CheckSpec& spec = lesson.checks[i];
        CheckResult& r = results[i];
        if (!applies(spec, trial) || !r.passed) continue;
        auto params = substitute(spec.params, vars);
        CheckVerdict v = params ? find_check_kind(spec.kind)->evaluate(*params, o)
                                : CheckVerdict{false, "lesson error: " + params.error()};
        if (!v.passed) r.passed = false, r.message = v.message, r.trial = trial.name;
    }
}

void note_findings(const TrialObservation& o, const Trial& trial, const GradeOptions& options,
                   std::vector<Finding>& findings) {
    for (auto& [id, evidence] : o.findings) {
        if (std::ranges::any_of(findings, [&](const Finding& f) { return f.id == id; })) continue;
        const Diagnostic* d = find_diagnostic(id);
        auto lesson = options.teaching_lesson.find(id);
        findings.push_back({id, std::string(d ? d->explanation : ""), evidence, trial.name,
                            lesson == options.teaching_lesson.end() ? "" : lesson->second});
    }
}

// The student's guest kernel (kernel-side lessons), as bytes.
std::expected<std::vector<uint8_t>, BuildError> build_lesson_kernel(const Lesson& lesson, const fs::path& file,
                                                                    const fs::path& workdir) {
    std::vector<fs::path> extra;
    for (auto& name : lesson.kernel_sources) extra.push_back(lesson.dir / name);
    fs::path dir = workdir / "kernel";
    std::error_code ec;
    fs::create_directories(dir, ec);
    auto elf = build_kernel(file, *lesson.replaces, extra, dir);
    if (!elf) return std::unexpected(elf.error());
    std::ifstream in(*elf, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    return bytes;
}

SubmissionReport failed(SubmissionReport r, SubmissionStatus status, std::string error) {
    r.status = status;
    r.error = std::move(error);
    for (auto& c : r.checks) c.passed = false, c.points = 0;
    r.score = 0;
    return r;
}

}  // namespace

int grade_exit_status(const std::vector<SubmissionReport>& reports) {
    auto any = [&](auto pred) { return std::ranges::any_of(reports, pred); };
    if (any([](auto& r) { return r.status == SubmissionStatus::internal_error; })) return kGradeInternalError;
    if (any([](auto& r) { return r.status == SubmissionStatus::build_error; })) return kGradeBuildError;
    if (any([](auto& r) { return !r.all_passed(); })) return kGradeSomeFailed;
    return kGradeAllPassed;
}

SubmissionReport grade_submission(const Lesson& lesson, const fs::path& file, const GradeOptions& options) {
    SubmissionReport report;
    report.submission = file.string();
    report.lesson = lesson.id;
    report.seed = options.seed;
    report.max_score = lesson.max_points();
    for (auto& c : lesson.checks) report.checks.push_back({c.name, c.points, c.points, true, "", "", c.hint, c.hidden});

    auto workdir = ScratchRoot::create("sysentry-grade");
    if (!workdir) return failed(report, SubmissionStatus::internal_error, "cannot create a build directory");
    // Kernel side: the submission is one source of the guest kernel; what runs in ring 3 is the lesson's program.
    const bool kernel_side = lesson.side == LessonSide::kernel;
    std::optional<std::vector<uint8_t>> kernel_elf;
    if (kernel_side) {
        auto elf = build_lesson_kernel(lesson, file, workdir->path());
        if (!elf) return failed(report, elf.error().internal ? SubmissionStatus::internal_error
                                                             : SubmissionStatus::build_error, elf.error().message);
        kernel_elf = std::move(*elf);
    }
    std::optional<fs::path> harness = options.harness_object;
    if (!harness && lesson.harness) {
        auto h = build_harness(lesson, workdir->path());
        if (!h) return failed(report, SubmissionStatus::internal_error, h.error().message);
        harness = *h;
    }
    // A quiz's submission is its answers; what runs is the lesson's own program.
    const bool quiz = lesson.side == LessonSide::quiz;
    nlohmann::json answers;
    if (quiz) {
        auto loaded = load_quiz_answers(file);
        if (!loaded) return failed(report, SubmissionStatus::build_error, loaded.error());
        answers = std::move(*loaded);
    }
    const bool runs_program = quiz || kernel_side;
    auto built = build_submission(lesson, runs_program ? lesson.dir / *lesson.program : file, harness, workdir->path());
    if (!built)
        return failed(report,
                      built.error().internal || runs_program ? SubmissionStatus::internal_error
                                                             : SubmissionStatus::build_error,
                      built.error().message);
    built->kernel_elf = std::move(kernel_elf);
    report.build_seconds = built->build_seconds;

    for (const Trial& declared : lesson.trials) {
        Bindings vars = draw_variables(declared, options.seed);
        auto trial = bind_trial(declared, vars);
        if (!trial) return failed(report, SubmissionStatus::internal_error, "lesson error: " + trial.error());
        auto t0 = std::chrono::steady_clock::now();
        TrialSummary summary{trial->name, "", 0, 0, vars};
        auto ran = run_trial(lesson, *trial, *built, [&](TrialObservation& o) {
            o.answers = answers;
            evaluate(lesson, *trial, vars, o, report.checks);
            note_findings(o, *trial, options, report.findings);
            summary.ending = o.ending();
            summary.instructions = o.instructions;
        });
        if (!ran) return failed(report, SubmissionStatus::internal_error, ran.error());
        summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        report.run_seconds += summary.seconds;
        report.trials.push_back(std::move(summary));
    }
    report.score = 0;
    for (auto& c : report.checks) {
        if (!c.passed) c.points = 0;
        report.score += c.points;
    }
    return report;
}

}  // namespace sysentry::grading
