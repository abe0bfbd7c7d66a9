// The kernel-side lessons: the student's .S is assembled into the guest
// kernel in place of ours. Each reference solution passes every check with no
// diagnostic; each starter builds and fails; each kernel-side diagnostic is
// proven by a deliberately wrong submission in its lesson's wrong/ folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "sysentry/diagnostics.hpp"
#include "sysentry/grading.hpp"
#include "sysentry/lesson.hpp"

namespace sysentry::grading {
namespace {

namespace fs = std::filesystem;

const fs::path kLessons = fs::path(SYSENTRY_SOURCE_DIR) / "lessons";

SubmissionReport grade(const std::string& lesson_id, const fs::path& file, uint64_t seed = 7) {
    auto lesson = load_lesson(kLessons / lesson_id);
    if (!lesson) throw std::runtime_error(lesson.error());
    GradeOptions options;
    options.seed = seed;
    options.teaching_lesson = teaching_lessons(kLessons);
    return grade_submission(*lesson, file, options);
}

const Finding* finding(const SubmissionReport& r, std::string_view id) {
    auto it = std::ranges::find(r.findings, id, &Finding::id);
    return it == r.findings.end() ? nullptr : &*it;
}

const CheckResult* check(const SubmissionReport& r, std::string_view name) {
    auto it = std::ranges::find(r.checks, name, &CheckResult::name);
    return it == r.checks.end() ? nullptr : &*it;
}

std::string describe(const SubmissionReport& r) {
    std::string out = r.error + "\n";
    for (auto& c : r.checks) out += (c.passed ? "PASS " : "FAIL ") + c.name + ": " + c.message + "\n";
    for (auto& f : r.findings) out += "finding " + f.id + ": " + f.evidence + "\n";
    return out;
}

const char* const kKernelLessons[] = {"syscall-init", "entry-stub", "sysret-or-iret", "dispatch-bounds"};

class KernelLesson : public ::testing::TestWithParam<const char*> {};

TEST_P(KernelLesson, reference_solution_passes_every_check_with_no_diagnostic) {
    SubmissionReport r = grade(GetParam(), kLessons / GetParam() / "solution.S");
    ASSERT_EQ(r.status, SubmissionStatus::graded) << describe(r);
    EXPECT_TRUE(r.all_passed()) << describe(r);
    EXPECT_EQ(r.score, r.max_score);
    EXPECT_TRUE(r.findings.empty()) << describe(r);
}

TEST_P(KernelLesson, starter_builds_and_fails) {
    SubmissionReport r = grade(GetParam(), kLessons / GetParam() / "starter.S");
    ASSERT_EQ(r.status, SubmissionStatus::graded) << describe(r);
    EXPECT_LT(r.score, r.max_score) << describe(r);
}

TEST_P(KernelLesson, is_side_kernel_and_replaces_a_guest_kernel_source) {
    auto lesson = load_lesson(kLessons / GetParam());
    ASSERT_TRUE(lesson) << lesson.error();
    EXPECT_EQ(lesson->side, LessonSide::kernel);
    ASSERT_TRUE(lesson->replaces);
    EXPECT_TRUE(fs::exists(fs::path(SYSENTRY_SOURCE_DIR) / "guest/kernel" / *lesson->replaces));
}

INSTANTIATE_TEST_SUITE_P(Each, KernelLesson, ::testing::ValuesIn(kKernelLessons), [](const auto& info) {
    std::string name = info.param;
    std::ranges::replace(name, '-', '_');
    return name;
});

struct Case {
    std::string id, lesson;
    std::string evidence;  // a part of the evidence the diagnostic must name
};

class KernelDiagnostic : public ::testing::TestWithParam<Case> {};

TEST_P(KernelDiagnostic, wrong_submission_is_diagnosed_and_loses_points) {
    const Case& c = GetParam();
    SubmissionReport r = grade(c.lesson, kLessons / c.lesson / "wrong" / (c.id + ".S"));
    ASSERT_EQ(r.status, SubmissionStatus::graded) << describe(r);
    const Finding* f = finding(r, c.id);
    ASSERT_NE(f, nullptr) << describe(r);
    EXPECT_NE(f->evidence.find(c.evidence), std::string::npos) << f->evidence;
    EXPECT_EQ(f->explanation, find_diagnostic(c.id)->explanation);
    EXPECT_EQ(f->lesson, c.lesson) << "the lesson that teaches it";
    EXPECT_LT(r.score, r.max_score);
}

INSTANTIATE_TEST_SUITE_P(
    EachId, KernelDiagnostic,
    ::testing::Values(Case{"star-halves-swapped", "syscall-init", "STAR[47:32] = 0x23"},
                      Case{"sce-not-set", "syscall-init", "SCE) is clear"},
                      Case{"mask-missing-flag", "syscall-init", "does not clear IF"},
                      Case{"user-register-clobbered", "entry-stub", "rdx was 0xb"},
                      Case{"no-swapgs-on-return", "entry-stub", "GS.base is 0x"},
                      Case{"kernel-stack-not-switched", "entry-stub", "pushed onto the user stack"},
                      Case{"sysret-non-canonical", "sysret-or-iret", "RCX = 0x800000000000"}),
    [](const auto& info) {
        std::string name = info.param.id;
        std::ranges::replace(name, '-', '_');
        return name;
    });

TEST(KernelDiagnostic, every_kernel_side_diagnostic_has_a_wrong_submission_in_the_lesson_that_teaches_it) {
    auto teachers = teaching_lessons(kLessons);
    for (const Diagnostic& d : diagnostic_catalogue()) {
        if (d.side != LessonSide::kernel) continue;
        auto it = teachers.find(std::string(d.id));
        ASSERT_NE(it, teachers.end()) << d.id << " is taught by no lesson";
        EXPECT_TRUE(fs::exists(kLessons / it->second / "wrong" / (std::string(d.id) + ".S"))) << d.id;
    }
}

TEST(KernelInvariant, register_check_names_the_clobbered_register) {
    SubmissionReport r = grade("entry-stub", kLessons / "entry-stub/wrong/user-register-clobbered.S");
    const CheckResult* c = check(r, "every user register but rax, rcx and r11 is preserved");
    ASSERT_NE(c, nullptr);
    EXPECT_FALSE(c->passed);
    EXPECT_NE(c->message.find("rdx"), std::string::npos) << c->message;
    EXPECT_TRUE(check(r, "the kernel never writes the user stack")->passed) << describe(r);
}

TEST(KernelInvariant, dispatch_without_bounds_check_leaves_the_table) {
    for (const char* wrong : {"no-bounds-check.S", "signed-bounds-check.S"}) {
        SubmissionReport r = grade("dispatch-bounds", kLessons / "dispatch-bounds/wrong" / wrong);
        ASSERT_EQ(r.status, SubmissionStatus::graded) << describe(r);
        const CheckResult* c = check(r, "control never leaves the table");
        ASSERT_NE(c, nullptr);
        EXPECT_FALSE(c->passed) << wrong;
        EXPECT_NE(c->message.find("the indirect branch at"), std::string::npos) << c->message;
    }
}

TEST(KernelInvariant, always_iret_is_safe_but_loses_the_sysret_check) {
    std::ifstream in(kLessons / "sysret-or-iret/solution.S");
    std::string s((std::istreambuf_iterator<char>(in)), {});
    const std::string first_guard = "\tmovq\tPTREGS_RCX(%rsp), %rcx";
    size_t at = s.find(first_guard);
    ASSERT_NE(at, std::string::npos);
    s.insert(at, "\tjmp\tswapgs_restore_regs_and_return_to_usermode\n");
    const fs::path file = fs::temp_directory_path() / ("always-iret-" + std::to_string(getpid()) + ".S");
    std::ofstream(file) << s;
    SubmissionReport r = grade("sysret-or-iret", file);
    fs::remove(file);
    ASSERT_EQ(r.status, SubmissionStatus::graded) << describe(r);
    EXPECT_TRUE(check(r, "the injected case never faults in ring 0")->passed) << describe(r);
    const CheckResult* c = check(r, "ordinary calls return by SYSRET");
    EXPECT_FALSE(c->passed);
    EXPECT_NE(c->message.find("came back by IRET"), std::string::npos) << c->message;
}

TEST(KernelLessonBuild, a_kernel_source_that_does_not_assemble_is_a_build_error_naming_the_line) {
    const fs::path file = fs::temp_directory_path() / ("broken-init-" + std::to_string(getpid()) + ".S");
    std::ofstream(file) << "\t.text\n\t.globl syscall_init\nsyscall_init:\n\tmovq %rax, %notareg\n\tret\n";
    SubmissionReport r = grade("syscall-init", file);
    fs::remove(file);
    EXPECT_EQ(r.status, SubmissionStatus::build_error) << describe(r);
    EXPECT_NE(r.error.find(":4:"), std::string::npos) << r.error;
    EXPECT_EQ(r.score, 0);
}

}  // namespace
}  // namespace sysentry::grading
