// Every lesson in lessons/ is gradable as shipped: its reference solution
// passes every check, and its starter and each of its `must_fail` files fail
// at least one — through the real `sysentry lesson check` command, as a
// student would run it. One parameterised case per lesson folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/guest.hpp"
#include "sysentry/lesson.hpp"

namespace sysentry::test {
namespace {

// lesson check's exit statuses (lessons/SPEC.md, docs of `sysentry grade`).
constexpr int kAllPassed = 0;
constexpr int kSomeFailed = 1;

fs::path lessons_root() { return fs::path(SYSENTRY_SOURCE_DIR) / "lessons"; }

std::vector<std::string> lesson_ids() {
    std::vector<std::string> ids;
    for (const auto& entry : fs::directory_iterator(lessons_root()))
        if (entry.is_directory() && fs::exists(entry.path() / "lesson.toml")) ids.push_back(entry.path().filename());
    std::sort(ids.begin(), ids.end());
    return ids;
}

grading::Lesson lesson(const std::string& id) {
    auto l = grading::load_lesson(lessons_root() / id);
    if (!l) throw std::runtime_error(l.error());
    return std::move(*l);
}

// `sysentry lesson check ID FILE`, run from the lesson's folder.
ProcessRun check(const std::string& id, const std::string& file) {
    return run_process({SYSENTRY_CLI, "lesson", "check", id, (lessons_root() / id / file).string()},
                       {.cwd = lessons_root() / id, .timeout = std::chrono::milliseconds(120'000)});
}

class EveryLesson : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryLesson, reference_solution_passes_every_check) {
    ProcessRun r = check(GetParam(), lesson(GetParam()).solution);
    EXPECT_EQ(r.status(), kAllPassed) << describe(r);
}

TEST_P(EveryLesson, starter_builds_and_fails_a_check) {
    ProcessRun r = check(GetParam(), lesson(GetParam()).starter);
    EXPECT_EQ(r.status(), kSomeFailed) << describe(r);  // not 3: a starter must build
}

TEST_P(EveryLesson, wrong_submissions_fail_a_check) {
    for (const std::string& file : lesson(GetParam()).must_fail) {
        ProcessRun r = check(GetParam(), file);
        EXPECT_EQ(r.status(), kSomeFailed) << file << ": " << describe(r);
    }
}

TEST_P(EveryLesson, is_listed_in_the_index) {
    std::string index = read_file(lessons_root() / "README.md");
    EXPECT_NE(index.find("[" + GetParam() + "](" + GetParam() + "/)"), std::string::npos)
        << "lessons/README.md has no row for " << GetParam();
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string name = info.param;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(Lessons, EveryLesson, ::testing::ValuesIn(lesson_ids()), test_name);

}  // namespace
}  // namespace sysentry::test
