// Golden transcripts of `sysentry step` in batch mode: the commands in
// tests/golden/NAME.cmds, the expected output in tests/golden/NAME.txt.
// The output is deterministic (fixed environment, clock and random bytes, no
// colour), so any difference is a change in behaviour. To accept a change on
// purpose: SYSENTRY_UPDATE_GOLDEN=1 build/sysentry_tests --gtest_filter='StepperGolden*'
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

const fs::path kGolden = fs::path(SYSENTRY_SOURCE_DIR) / "tests" / "golden";

void check_transcript(std::string_view name, std::string_view program) {
    // Relative paths: argv[0] is on the guest's stack, so it must not depend on the checkout.
    ProcessSetup setup;
    setup.cwd = fs::path(SYSENTRY_SOURCE_DIR);
    ProcessRun r = run_process({SYSENTRY_CLI, "step", "-x", fmt::format("tests/golden/{}.cmds", name),
                                std::string(program)}, setup);
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(r.status(), 0) << r.err;
    const fs::path expected = kGolden / fmt::format("{}.txt", name);
    if (std::getenv("SYSENTRY_UPDATE_GOLDEN")) write_file(expected, r.out);
    EXPECT_EQ(r.out, read_file(expected)) << "the transcript changed; see the comment at the top of this file";
}

TEST(StepperGolden, one_write_through_the_whole_path) {
    check_transcript("step_hello_write", "guest/examples/hello.s");
}

TEST(StepperGolden, batch_commands_also_come_from_stdin) {
    ProcessSetup setup;
    setup.cwd = fs::path(SYSENTRY_SOURCE_DIR);
    setup.stdin_text = "si 4\ninfo syscall\nquit\nsi\n";
    ProcessRun r = run_process({SYSENTRY_CLI, "step", "guest/examples/hello.s"}, setup);
    ASSERT_EQ(r.status(), 0) << r.err;
    EXPECT_NE(r.out.find("(sysentry) info syscall\nAbout to call write (rax = 1)"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("(sysentry) si\n"), std::string::npos) << "nothing runs after quit\n" << r.out;
    EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST(StepperGolden, a_missing_program_or_script_is_a_clear_error) {
    ProcessRun r = run_process({SYSENTRY_CLI, "step", "/nonexistent/prog"});
    EXPECT_EQ(r.status(), 127) << r.err;
    EXPECT_NE(r.err.find("sysentry: "), std::string::npos) << r.err;
    r = run_process({SYSENTRY_CLI, "step", "-x", "/nonexistent/cmds", "prog"});
    EXPECT_EQ(r.status(), 125) << r.err;
}

}  // namespace
}  // namespace sysentry::test
