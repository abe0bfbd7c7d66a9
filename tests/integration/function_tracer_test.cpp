// `run --ftrace`: ltrace -S for static programs, from the ELF symbol table.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr std::string_view kProgram = R"(
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) int twice(int x) { return 2 * x; }
int main(void) {
    puts("hi");
    char *p = malloc(16);
    memcpy(p, "copy", 5);
    printf("%s %d\n", p, twice(21));
    free(p);
    return 3;
}
)";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The function lines only (not SYS_ and not +++), joined with '\n'.
std::string function_lines(const std::string& err) {
    std::string out;
    for (const std::string& l : lines_of(err))
        if (!l.starts_with("SYS_") && !l.starts_with("+++")) out += l + "\n";
    return out;
}

class function_tracer : public ::testing::Test {
protected:
    void SetUp() override {
        auto exe = build_c(kProgram, "gcc", dir_.path());
        ASSERT_TRUE(exe) << exe.error();
        exe_ = *exe;
    }
    ScratchRoot dir_ = temp_dir("sysentry-ftrace");
    fs::path exe_;
};

TEST_F(function_tracer, prints_libc_calls_from_main_with_decoded_arguments) {
    ProcessRun r = run_cli({"run", "--ftrace", exe_.string()});
    ASSERT_EQ(r.status(), 3) << describe(r);
    EXPECT_EQ(r.out, "hi\ncopy 42\n");
    std::string calls = function_lines(r.err);
    // Only main's own calls: no malloc from libc's start-up before puts, nothing from printf's insides.
    EXPECT_TRUE(calls.starts_with("puts(\"hi\")")) << calls;
    EXPECT_NE(calls.find("malloc(16)"), std::string::npos) << calls;
    EXPECT_NE(calls.find("printf(\"%s %d\\n\", \"copy\", 42)"), std::string::npos) << calls;
    EXPECT_NE(calls.find("= 8\n"), std::string::npos) << calls;  // printf's result
    EXPECT_NE(calls.find("free(0x"), std::string::npos) << calls;
    EXPECT_NE(calls.find("= <void>"), std::string::npos) << calls;
    EXPECT_EQ(calls.find("twice"), std::string::npos) << calls;  // not a libc function: not traced by default
    EXPECT_NE(r.err.find("SYS_write(1, \"hi\\ncopy 42\\n\", 11)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("+++ exited (status 3) +++"), std::string::npos) << r.err;
}

TEST_F(function_tracer, a_syscall_inside_a_call_splits_its_line_as_ltrace_does) {
    ProcessRun r = run_cli({"run", "--ftrace=puts", exe_.string()});
    ASSERT_EQ(r.status(), 3) << describe(r);
    // puts checks stdout with fstat before buffering: the call is interrupted, then resumed.
    auto lines = lines_of(r.err);
    auto puts = std::ranges::find_if(lines, [](auto& l) { return l.starts_with("puts(\"hi\")"); });
    ASSERT_NE(puts, lines.end()) << r.err;
    if (puts->ends_with("<unfinished ...>")) {
        auto resumed = std::find_if(puts, lines.end(), [](auto& l) { return l.starts_with("<... puts resumed> )"); });
        ASSERT_NE(resumed, lines.end()) << r.err;
        EXPECT_TRUE(resumed->ends_with("= 3")) << *resumed;
        EXPECT_TRUE(std::any_of(puts, resumed, [](auto& l) { return l.starts_with("SYS_"); })) << r.err;
    } else {
        EXPECT_TRUE(puts->ends_with("= 3")) << *puts;
    }
}

TEST_F(function_tracer, any_symbol_by_name_with_raw_registers) {
    ProcessRun r = run_cli({"run", "--ftrace=twice", exe_.string()});
    ASSERT_EQ(r.status(), 3) << describe(r);
    std::string calls = function_lines(r.err);
    EXPECT_TRUE(calls.starts_with("twice(0x15, ")) << calls;
    EXPECT_NE(calls.find("= 0x2a\n"), std::string::npos) << calls;
    EXPECT_EQ(run_cli({"run", "--ftrace=no_such_function", exe_.string()}).status(), 125);
}

}  // namespace
}  // namespace sysentry::test
