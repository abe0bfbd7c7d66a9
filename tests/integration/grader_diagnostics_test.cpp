// Each diagnostic is proven by a deliberately buggy submission in
// tests/grader/submissions/<id>.s, graded against the grader's fixture lessons;
// the reference solutions must raise none.
#include <gtest/gtest.h>

#include <filesystem>

#include "sysentry/diagnostics.hpp"
#include "sysentry/grading.hpp"
#include "sysentry/lesson.hpp"

namespace sysentry::grading {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(SYSENTRY_SOURCE_DIR) / "tests/grader";

SubmissionReport grade(const std::string& lesson_name, const fs::path& file, uint64_t seed = 1) {
    auto lesson = load_lesson(kFixtures / "lessons" / lesson_name);
    if (!lesson) throw std::runtime_error(lesson.error());
    GradeOptions options;
    options.seed = seed;
    options.teaching_lesson = teaching_lessons(kFixtures / "lessons");
    return grade_submission(*lesson, file, options);
}

const Finding* finding(const SubmissionReport& r, std::string_view id) {
    for (auto& f : r.findings)
        if (f.id == id) return &f;
    return nullptr;
}

std::string ids(const SubmissionReport& r) {
    std::string out;
    for (auto& f : r.findings) out += f.id + ": " + f.evidence + "\n";
    return out;
}

struct Case {
    std::string id;
    std::string lesson;
};

class GraderDiagnostics : public ::testing::TestWithParam<Case> {};

TEST_P(GraderDiagnostics, buggy_submission_is_diagnosed) {
    const Case& c = GetParam();
    SubmissionReport r = grade(c.lesson, kFixtures / "submissions" / (c.id + ".s"));
    ASSERT_EQ(r.status, SubmissionStatus::graded) << r.error;
    const Finding* f = finding(r, c.id);
    ASSERT_NE(f, nullptr) << "found instead:\n" << ids(r);
    EXPECT_FALSE(f->evidence.empty());
    EXPECT_EQ(f->explanation, find_diagnostic(c.id)->explanation);
    EXPECT_LT(r.score, r.max_score);
}

INSTANTIATE_TEST_SUITE_P(
    EachId, GraderDiagnostics,
    ::testing::Values(Case{"r10-not-rcx", "plain"}, Case{"rcx-r11-clobbered", "plain"},
                      Case{"int80-in-64bit", "plain"}, Case{"i386-numbers", "plain"}, Case{"no-exit", "plain"},
                      Case{"unchecked-error", "plain"}, Case{"stack-misaligned", "harness"},
                      Case{"privileged-in-user", "plain"}, Case{"wrong-length", "plain"}),
    [](const auto& info) {
        std::string name = info.param.id;
        std::ranges::replace(name, '-', '_');
        return name;
    });

TEST(GraderDiagnostics, every_user_side_diagnostic_has_a_proving_submission) {
    for (const Diagnostic& d : diagnostic_catalogue())
        if (d.side == LessonSide::user)
            EXPECT_TRUE(fs::exists(kFixtures / "submissions" / (std::string(d.id) + ".s"))) << d.id;
}

TEST(GraderDiagnostics, reference_solutions_raise_none_and_score_full) {
    for (const char* lesson : {"plain", "harness"}) {
        SubmissionReport r = grade(lesson, kFixtures / "lessons" / lesson / "solution.s");
        ASSERT_EQ(r.status, SubmissionStatus::graded) << r.error;
        EXPECT_TRUE(r.findings.empty()) << lesson << ":\n" << ids(r);
        EXPECT_EQ(r.score, r.max_score) << lesson;
    }
}

TEST(GraderDiagnostics, a_finding_points_to_the_lesson_that_teaches_it) {
    SubmissionReport r = grade("plain", kFixtures / "submissions/no-exit.s");
    const Finding* f = finding(r, "no-exit");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->lesson, "plain");  // the fixture's `teaches`
}

TEST(GraderDiagnostics, evidence_names_the_instruction_and_the_values) {
    SubmissionReport r = grade("plain", kFixtures / "submissions/r10-not-rcx.s");
    const Finding* f = finding(r, "r10-not-rcx");
    ASSERT_NE(f, nullptr);
    EXPECT_NE(f->evidence.find("mmap"), std::string::npos) << f->evidence;
    EXPECT_NE(f->evidence.find("0x22"), std::string::npos) << f->evidence;
    r = grade("plain", kFixtures / "submissions/rcx-r11-clobbered.s");
    f = finding(r, "rcx-r11-clobbered");
    ASSERT_NE(f, nullptr);
    EXPECT_NE(f->evidence.find("decl %ecx"), std::string::npos) << f->evidence;
}

}  // namespace
}  // namespace sysentry::grading
