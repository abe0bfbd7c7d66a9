// `sysentry grade` and `sysentry lesson` end to end: exit statuses, the report
// formats (JUnit validated against tests/grader/junit-10.xsd with xmllint,
// Gradescope's documented fields), batches and their summary files.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/guest.hpp"
#include "sysentry/grading.hpp"

namespace sysentry::test {
namespace {

using nlohmann::json;

const fs::path kFixtures = fs::path(SYSENTRY_SOURCE_DIR) / "tests/grader";
const std::string kPlain = (kFixtures / "lessons/plain").string();
const std::string kSolution = (kFixtures / "lessons/plain/solution.s").string();
std::string submission(std::string_view name) { return (kFixtures / "submissions" / name).string(); }

ProcessRun grade(std::vector<std::string> args) {
    args.insert(args.begin(), {"grade", "--lesson", kPlain, "--seed", "1"});
    return run_cli(args);
}

TEST(GraderCli, exit_status_says_passed_failed_usage_build) {
    EXPECT_EQ(grade({kSolution}).status(), 0);
    EXPECT_EQ(grade({submission("no-exit.s")}).status(), 1);
    EXPECT_EQ(grade({submission("syntax-error.s")}).status(), 3);
    EXPECT_EQ(grade({"--format", "yaml", kSolution}).status(), 2);
    EXPECT_EQ(run_cli({"grade", "--lesson", "no-such-lesson", kSolution}).status(), 2);
    EXPECT_EQ(run_cli({"grade", "--lesson", kPlain}).status(), 2);  // no submission
    EXPECT_EQ(grade({submission("no-exit.s"), submission("syntax-error.s")}).status(), 3);
}

TEST(GraderCli, an_assembly_error_shows_the_assemblers_message_and_the_line) {
    ProcessRun r = grade({submission("syntax-error.s")});
    EXPECT_NE(r.out.find("syntax-error.s:5: bad register name `%zzz'"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("5 | \tmovq\t%rax, %zzz"), std::string::npos) << r.out;
}

TEST(GraderCli, the_text_report_prints_the_seed_hints_and_diagnostics) {
    ProcessRun r = grade({submission("no-exit.s")});
    EXPECT_NE(r.out.find("seed 1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FAIL  exits 0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("hint: exit(0)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("diagnostic no-exit"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("score 5/9"), std::string::npos) << r.out;
}

TEST(GraderCli, junit_output_validates_against_the_junit_10_schema) {
    if (!on_path("xmllint")) GTEST_SKIP() << "xmllint is not installed";
    ScratchRoot dir = temp_dir();
    fs::path xml = dir.path() / "report.xml";
    grade({"--format", "junit", "-o", xml, kSolution, submission("no-exit.s"), submission("syntax-error.s")});
    std::string text = read_file(xml);
    EXPECT_NE(text.find("<failure"), std::string::npos);
    EXPECT_NE(text.find("<error"), std::string::npos);
    fs::path xsd = kFixtures / "junit-10.xsd";
    ProcessRun valid = run_process({"xmllint", "--noout", "--schema", xsd, xml});
    EXPECT_EQ(valid.status(), 0) << describe(valid);
    // The schema is not a rubber stamp: a testcase without a name is refused.
    fs::path bad = write_file(dir.path() / "bad.xml",
                              "<testsuites><testsuite name=\"x\" tests=\"1\" failures=\"0\" errors=\"0\">"
                              "<testcase classname=\"c\"/></testsuite></testsuites>");
    EXPECT_NE(run_process({"xmllint", "--noout", "--schema", xsd, bad}).status(), 0);
}

// Gradescope's results.json: score, tests[] with name/score/max_score/status/
// output/visibility; status is "passed" or "failed"; visibility one of four.
TEST(GraderCli, gradescope_results_have_the_documented_fields) {
    ProcessRun r = grade({"--format", "gradescope", submission("no-exit.s")});
    json j = json::parse(r.out);
    ASSERT_TRUE(j["score"].is_number());
    ASSERT_TRUE(j["tests"].is_array());
    ASSERT_TRUE(j["output"].is_string());
    EXPECT_NE(j["output"].get<std::string>().find("seed 1"), std::string::npos);
    double sum = 0;
    for (auto& t : j["tests"]) {
        EXPECT_TRUE(t["name"].is_string());
        EXPECT_TRUE(t["score"].is_number());
        EXPECT_TRUE(t["max_score"].is_number());
        EXPECT_TRUE(t["output"].is_string());
        EXPECT_TRUE(t["status"] == "passed" || t["status"] == "failed") << t;
        EXPECT_TRUE(t["visibility"] == "visible" || t["visibility"] == "hidden" || t["visibility"] == "after_due_date" ||
                    t["visibility"] == "after_published")
            << t;
        EXPECT_EQ(t["status"] == "passed", t["score"] == t["max_score"]) << t;
        sum += t["score"].get<double>();
    }
    EXPECT_EQ(sum, j["score"].get<double>());
    EXPECT_EQ(j["score"].get<double>(), 5);
}

TEST(GraderCli, tap_output_is_tap_14_with_a_subtest_per_submission) {
    ProcessRun r = grade({"--format", "tap", kSolution, submission("no-exit.s")});
    EXPECT_TRUE(r.out.starts_with("TAP version 14\n1..2\n")) << r.out;
    EXPECT_NE(r.out.find("    1..8\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nok 1 - "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nnot ok 2 - "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    not ok 3 - exits 0\n      ---\n"), std::string::npos) << r.out;
}

TEST(GraderCli, json_reports_read_back_as_reports) {
    ProcessRun r = grade({"--format", "json", submission("wrong-length.s")});
    auto report = json::parse(r.out).get<grading::SubmissionReport>();
    EXPECT_EQ(report.lesson, "plain");
    EXPECT_EQ(report.seed, 1u);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].id, "wrong-length");
}

TEST(GraderCli, a_batch_survives_broken_submissions_and_writes_its_summary) {
    ScratchRoot dir = temp_dir(), out = temp_dir();
    for (auto name : {"spins-forever.s", "syntax-error.s", "no-exit.s"})
        fs::copy_file(kFixtures / "submissions" / name, dir.path() / name);
    fs::copy_file(kSolution, dir.path() / "solution.s");
    write_file(dir.path() / "fake-elf", "\x7f" "ELF garbage");
    write_file(dir.path() / "notes.txt", "not a submission");
    ProcessRun r = run_cli({"grade", "--lesson", kPlain, "--seed", "1", "--jobs", "2", "--format", "json",
                            "--summary-dir", out.path(), dir.path()});
    EXPECT_EQ(r.status(), 3) << describe(r);
    json reports = json::parse(r.out);
    ASSERT_EQ(reports.size(), 5u);  // notes.txt is not one
    EXPECT_EQ(reports[0]["submission"], (dir.path() / "fake-elf").string());
    EXPECT_EQ(reports[0]["status"], "build_error");
    EXPECT_EQ(reports[2]["status"], "graded");   // solution.s
    EXPECT_EQ(reports[2]["score"], reports[2]["max_score"]);
    EXPECT_EQ(reports[3]["status"], "graded");   // spins-forever.s: stopped by the limit
    EXPECT_EQ(reports[4]["status"], "build_error");  // syntax-error.s
    EXPECT_NE(r.err.find("5 submissions: 1 passed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("assembling and linking"), std::string::npos) << r.err;
    std::string csv = read_file(out.path() / "grade-summary.csv");
    EXPECT_EQ(std::ranges::count(csv, '\n'), 6) << csv;
    json summary = json::parse(read_file(out.path() / "grade-summary.json"));
    EXPECT_EQ(summary["submissions"], 5);
    EXPECT_EQ(summary["build_errors"], 2);
}

TEST(GraderCli, lesson_list_show_start_and_check) {
    std::string root = (kFixtures / "lessons").string();
    ProcessRun list = run_cli({"lesson", "--lessons", root, "list"});
    EXPECT_EQ(list.status(), 0) << describe(list);
    EXPECT_NE(list.out.find("plain"), std::string::npos);
    EXPECT_NE(list.out.find("harness"), std::string::npos);
    ProcessRun diagnostics = run_cli({"lesson", "--lessons", root, "list", "--diagnostics"});
    EXPECT_NE(diagnostics.out.find("r10-not-rcx"), std::string::npos);
    EXPECT_NE(diagnostics.out.find("no-exit              a program must end with exit"), std::string::npos);
    ProcessRun show = run_cli({"lesson", "--lessons", root, "show", "plain"});
    EXPECT_NE(show.out.find("Checks (9 points)"), std::string::npos) << show.out;

    ScratchRoot dir = temp_dir();
    ProcessRun start = run_cli({"lesson", "--lessons", root, "start", "plain", dir.path()});
    EXPECT_EQ(start.status(), 0) << describe(start);
    fs::path copy = dir.path() / "plain.s";
    EXPECT_EQ(read_file(copy), read_file(kFixtures / "lessons/plain/starter.s"));
    EXPECT_EQ(run_cli({"lesson", "--lessons", root, "start", "plain", dir.path()}).status(), 2);  // never overwrites

    ProcessRun starter = run_cli({"lesson", "--lessons", root, "check", "--seed", "4", "plain", copy});
    EXPECT_EQ(starter.status(), 1);
    EXPECT_NE(starter.out.find("hint: write(1, msg, 3)"), std::string::npos) << starter.out;
    EXPECT_NE(starter.out.find("sysentry lesson check --seed 4 plain"), std::string::npos) << starter.out;
    fs::copy_file(kSolution, copy, fs::copy_options::overwrite_existing);
    ProcessRun solved = run_cli({"lesson", "--lessons", root, "check", "plain", copy});
    EXPECT_EQ(solved.status(), 0) << solved.out;
    EXPECT_NE(solved.out.find("All checks pass."), std::string::npos) << solved.out;
    EXPECT_EQ(run_cli({"lesson", "--lessons", root, "show", "nope"}).status(), 2);
}

}  // namespace
}  // namespace sysentry::test
