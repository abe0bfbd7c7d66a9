// strace's -e trace=NAME,... and -o FILE on `sysentry run`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(trace_options, filter_keeps_the_named_calls_and_o_writes_the_file) {
    ScratchRoot dir = temp_dir("sysentry-trace-options");
    fs::path out = dir.path() / "trace.txt";
    ProcessRun run =
        run_cli({"run", "--deterministic", "-e", "trace=write", "-o", out.string(), SYSENTRY_EXAMPLES_DIR "/hello"});
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "hello\n");
    EXPECT_EQ(run.err, "");  // the trace went to the file
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    // strace -f -o FILE's form: the pid on every line, the result still at column 40.
    EXPECT_EQ(text.str(), "1000  write(1, \"hello\\n\", 6)            = 6\n1000  +++ exited with 0 +++\n");
}

TEST(trace_options, an_unknown_name_is_a_usage_error) {
    ProcessRun run = run_cli({"run", "-e", "trace=no_such_call", SYSENTRY_EXAMPLES_DIR "/hello"});
    EXPECT_EQ(run.exit_code, 125) << describe(run);
    EXPECT_NE(run.err.find("invalid system call 'no_such_call'"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace sysentry::test

namespace sysentry::test {
namespace {

// The calls, errors and syscall columns of a -c table (times differ by nature),
// its lines sorted: strace orders rows by time, so a loaded host reorders ties.
std::vector<std::string> counts_only(const std::string& table) {
    std::istringstream in(table);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (line.size() > 31 && (line[0] == ' ' || std::isdigit(static_cast<unsigned char>(line[0]))))
            line = line.substr(31);  // past "% time", "seconds" and "usecs/call"
        out.push_back(line);
    }
    std::ranges::sort(out);
    return out;
}

TEST(trace_options, summary_counts_calls_as_strace_c_does) {
    ProcessRun ours = run_cli({"run", "-c", "--deterministic", SYSENTRY_EXAMPLES_DIR "/hello"});
    EXPECT_EQ(ours.exit_code, 0) << describe(ours);
    EXPECT_EQ(ours.err,
              "% time     seconds  usecs/call     calls    errors syscall\n"
              "------ ----------- ----------- --------- --------- ----------------\n"
              "  0.00    0.000000           0         1           write\n"
              "  0.00    0.000000           0         1           execve\n"
              "------ ----------- ----------- --------- --------- ----------------\n"
              "100.00    0.000000           0         2           total\n");
    if (!on_path("strace")) GTEST_SKIP() << "strace is not installed: compared with the literal table only";
    ScratchRoot dir = temp_dir("sysentry-strace-c");
    fs::path out = dir.path() / "strace.txt";
    ProcessRun real = run_process({"strace", "-f", "-c", "-o", out.string(), SYSENTRY_EXAMPLES_DIR "/hello"});
    ASSERT_EQ(real.exit_code, 0) << describe(real);
    std::ifstream in(out);
    std::stringstream table;
    table << in.rdbuf();
    EXPECT_EQ(counts_only(ours.err), counts_only(table.str()));
}

}  // namespace
}  // namespace sysentry::test
