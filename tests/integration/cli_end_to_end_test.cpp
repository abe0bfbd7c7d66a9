// The real `sysentry` binary against the host kernel: same stdout, same exit
// status; and its own exit statuses for programs it cannot run.
#include <gtest/gtest.h>

#include "sysentry/exit_status.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

int count_lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

// Runs `exe` natively and through the CLI (each in its own empty directory) and compares.
void expect_same_as_native(const fs::path& exe, std::vector<std::string> args = {}) {
    ScratchRoot native_dir = temp_dir(), guest_dir = temp_dir();
    std::vector<std::string> argv{exe.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessRun native = run_process(argv, {.cwd = native_dir.path()});
    std::vector<std::string> cli_args{"run", "--root", guest_dir.path().string(), exe.string()};
    cli_args.insert(cli_args.end(), args.begin(), args.end());
    ProcessRun guest = run_cli(cli_args);
    ASSERT_TRUE(native.error.empty()) << native.error;
    EXPECT_EQ(guest.status(), native.status()) << "guest: " << describe(guest) << "\nnative: " << describe(native);
    EXPECT_EQ(guest.out, native.out);
    EXPECT_EQ(guest.err, native.err);
}

TEST(examples, hello_matches_native) { expect_same_as_native(example("hello")); }

TEST(examples, seed_write_matches_native) { expect_same_as_native(example("seed-write")); }

TEST(examples, hello_source_path_is_assembled_and_run) {
    ProcessRun cli = run_cli({"run", fs::path(SYSENTRY_SOURCE_DIR) / "guest/examples/hello.s"});
    EXPECT_EQ(cli.status(), 0) << describe(cli);
    EXPECT_EQ(cli.out, "hello\n");
    EXPECT_EQ(cli.err, "");
}

TEST(examples, seed_write_creates_tmp1_in_the_guest_root) {
    ScratchRoot root = temp_dir();
    ProcessRun cli = run_cli({"run", "--root", root.path().string(), "--rw", example("seed-write").string()});
    ASSERT_EQ(cli.status(), 0) << describe(cli);
    ASSERT_TRUE(fs::exists(root.path() / "tmp1")) << "no tmp1 in the guest root";
    EXPECT_EQ(read_file(root.path() / "tmp1"), std::string("hello systemcall\0", 17));
    EXPECT_NE(cli.out.find("write return 17"), std::string::npos) << cli.out;
}

TEST(examples, trace_goes_to_stderr_and_leaves_stdout_alone) {
    ProcessRun cli = run_cli({"run", "--trace", example("hello").string()});
    EXPECT_EQ(cli.status(), 0) << describe(cli);
    EXPECT_EQ(cli.out, "hello\n");
    EXPECT_NE(cli.err.find("write(1, \"hello\\n\", 6)"), std::string::npos) << cli.err;
    EXPECT_NE(cli.err.find("+++ exited with 0 +++"), std::string::npos) << cli.err;
}

constexpr std::string_view kHelloC = R"c(
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
    printf("hello from C, argc=%d\n", argc);
    for (int i = 1; i < argc; ++i) printf("arg %s\n", argv[i]);
    char* p = malloc(1 << 20);  /* brk or mmap */
    p[0] = 'x';
    fprintf(stderr, "to stderr\n");
    return 3;
}
)c";

TEST(examples, gcc_static_hello_matches_native) {
    ScratchRoot dir = temp_dir();
    auto exe = build_c(kHelloC, "gcc", dir.path());
    ASSERT_TRUE(exe.has_value()) << exe.error();
    expect_same_as_native(*exe, {"one", "two words"});
}

TEST(examples, musl_static_hello_matches_native) {
    if (!on_path("musl-gcc")) GTEST_SKIP() << "musl-gcc is not installed";
    ScratchRoot dir = temp_dir();
    auto exe = build_c(kHelloC, "musl-gcc", dir.path());
    ASSERT_TRUE(exe.has_value()) << exe.error();
    expect_same_as_native(*exe, {"one"});
}

// ---- programs sysentry cannot run ----

TEST(cli_errors, nonexistent_program_is_127_with_one_line) {
    ProcessRun cli = run_cli({"run", "/nonexistent/program"});
    EXPECT_EQ(cli.status(), kExitNotFoundStatus) << describe(cli);
    EXPECT_EQ(count_lines(cli.err), 1) << cli.err;
    EXPECT_NE(cli.err.find("/nonexistent/program"), std::string::npos) << cli.err;
}

TEST(cli_errors, non_elf_file_is_126) {
    ScratchRoot dir = temp_dir();
    fs::path text = write_file(dir.path() / "notes.txt", "just text\n", fs::perms(0755));
    ProcessRun cli = run_cli({"run", text.string()});
    EXPECT_EQ(cli.status(), kExitCannotRunStatus) << describe(cli);
    EXPECT_EQ(count_lines(cli.err), 1) << cli.err;
    EXPECT_NE(cli.err.find("ELF"), std::string::npos) << cli.err;
}

TEST(cli_errors, dynamically_linked_binary_is_126_and_says_static) {
    ProcessRun cli = run_cli({"run", "/bin/true"});
    EXPECT_EQ(cli.status(), kExitCannotRunStatus) << describe(cli);
    EXPECT_EQ(count_lines(cli.err), 1) << cli.err;
    EXPECT_NE(cli.err.find("static"), std::string::npos) << cli.err;
}

TEST(cli_errors, assembler_syntax_error_is_126_with_the_error_line) {
    ScratchRoot dir = temp_dir();
    fs::path src = write_file(dir.path() / "bad.s", "\t.globl _start\n_start:\n\tfrobnicate %rax\n");
    ProcessRun cli = run_cli({"run", src.string()});
    EXPECT_EQ(cli.status(), kExitCannotRunStatus) << describe(cli);
    EXPECT_EQ(count_lines(cli.err), 1) << cli.err;
    EXPECT_NE(cli.err.find("bad.s:3: Error: no such instruction"), std::string::npos) << cli.err;
}

TEST(cli_errors, directory_is_126) {
    ScratchRoot dir = temp_dir();
    ProcessRun cli = run_cli({"run", dir.path().string()});
    EXPECT_EQ(cli.status(), kExitCannotRunStatus) << describe(cli);
    EXPECT_EQ(count_lines(cli.err), 1) << cli.err;
}

TEST(cli_errors, guest_exit_status_passes_through) {
    ScratchRoot dir = temp_dir();
    fs::path src = write_file(dir.path() / "exit.s", asm_program("\texit_imm 42\n"));
    ProcessRun cli = run_cli({"run", src.string()});
    EXPECT_EQ(cli.status(), 42) << describe(cli);
    EXPECT_EQ(cli.err, "");
}

TEST(cli_errors, stdin_reaches_the_guest) {
    ScratchRoot dir = temp_dir();
    fs::path src = write_file(dir.path() / "cat.s", asm_program(R"(
1:	xorl	%eax, %eax		# read(0, buf, 64)
	xorl	%edi, %edi
	leaq	buf(%rip), %rsi
	movl	$64, %edx
	syscall
	testq	%rax, %rax
	jle	2f
	movq	%rax, %rdx		# write(1, buf, n)
	movl	$1, %eax
	movl	$1, %edi
	syscall
	jmp	1b
2:	exit_imm 0
	.bss
buf:	.zero 64
)"));
    std::string input(1000, 'z');
    input += "\nend\n";
    ProcessRun cli = run_cli({"run", src.string()}, input);
    EXPECT_EQ(cli.status(), 0) << describe(cli);
    EXPECT_EQ(cli.out, input);
}

}  // namespace
}  // namespace sysentry::test

namespace sysentry::test {
namespace {

TEST(run_limits, an_endless_loop_stops_at_the_time_limit) {
    RunSetup setup;
    setup.timeout_us = 200'000;
    GuestRun run = run_asm(asm_program("1:\tjmp 1b\n"), setup);
    ASSERT_TRUE(run.ok()) << run.error;
    EXPECT_EQ(int(run.result.kind), int(RunResult::Kind::limit)) << describe(run);
}

TEST(run_limits, cli_timeout_exits_124) {
    ScratchRoot dir = temp_dir();
    fs::path src = write_file(dir.path() / "spin.s", asm_program("1:\tjmp 1b\n"));
    ProcessRun cli = run_cli({"run", "--timeout", "0.2", src.string()});
    EXPECT_EQ(cli.status(), kExitLimitStatus) << describe(cli);
    EXPECT_EQ(count_lines(cli.err), 1) << cli.err;
}

}  // namespace
}  // namespace sysentry::test
