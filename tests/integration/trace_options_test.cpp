// strace's -e trace=NAME,... and -o FILE on `sysentry run`.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(trace_options, filter_keeps_the_named_calls_and_o_writes_the_file) {
    ScratchRoot dir = temp_dir("sysentry-trace-options");
    fs::path out = dir.path() / "trace.txt";
    ProcessRun run = run_cli({"run", "-e", "trace=write", "-o", out.string(), SYSENTRY_EXAMPLES_DIR "/hello"});
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "hello\n");
    EXPECT_EQ(run.err, "");  // the trace went to the file
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "write(1, \"hello\\n\", 6)                  = 6\n+++ exited with 0 +++\n");
}

TEST(trace_options, an_unknown_name_is_a_usage_error) {
    ProcessRun run = run_cli({"run", "-e", "trace=no_such_call", SYSENTRY_EXAMPLES_DIR "/hello"});
    EXPECT_EQ(run.exit_code, 125) << describe(run);
    EXPECT_NE(run.err.find("invalid system call 'no_such_call'"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace sysentry::test
