// The grader's trials: limits end a run with a reason, short reads reach the
// guest, seeds replay, and a lesson file with a mistake is refused with its line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/guest.hpp"
#include "sysentry/grading.hpp"
#include "sysentry/lesson.hpp"

namespace sysentry::grading {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(SYSENTRY_SOURCE_DIR) / "tests/grader";
const fs::path kSubmissions = kFixtures / "submissions";

// A lesson folder made for one test: `toml` after the common head.
struct TempLesson {
    ScratchRoot dir = test::temp_dir("sysentry-lesson");
    explicit TempLesson(std::string_view toml) {
        fs::copy_file(kFixtures / "lessons/plain/solution.s", dir.path() / "solution.s");
        fs::copy_file(kFixtures / "lessons/plain/starter.s", dir.path() / "starter.s");
        test::write_file(dir.path() / "lesson.toml",
                         std::string("id = \"temp\"\ntitle = \"t\"\nsummary = \"s\"\nside = \"user\"\n"
                                     "starter = \"starter.s\"\nsolution = \"solution.s\"\n") +
                             std::string(toml));
    }
    std::expected<Lesson, std::string> load() const { return load_lesson(dir.path()); }
};

SubmissionReport grade(const TempLesson& t, const fs::path& file, uint64_t seed = 1) {
    auto lesson = t.load();
    if (!lesson) throw std::runtime_error("the test's lesson does not load: " + lesson.error());
    GradeOptions options;
    options.seed = seed;
    return grade_submission(*lesson, file, options);
}

const CheckResult& check(const SubmissionReport& r, std::string_view name) {
    for (auto& c : r.checks)
        if (c.name == name) return c;
    throw std::runtime_error("no check " + std::string(name));
}

constexpr std::string_view kExitCheck = R"(
[[checks]]
name = "exits 0"
kind = "exit"
status = 0
points = 1
)";

TEST(GraderTrials, the_instruction_limit_stops_an_endless_loop) {
    TempLesson t(std::string("[limits]\ninstructions = 5000\n") + std::string(kExitCheck));
    SubmissionReport r = grade(t, kSubmissions / "spins-forever.s");
    ASSERT_EQ(r.status, SubmissionStatus::graded) << r.error;
    EXPECT_EQ(r.trials.at(0).ending, "instruction limit (5000) reached");
    EXPECT_FALSE(check(r, "exits 0").passed);
    EXPECT_EQ(check(r, "exits 0").message, "instruction limit (5000) reached");
}

TEST(GraderTrials, the_wall_clock_limit_stops_a_long_run) {
    TempLesson t(std::string("[limits]\ninstructions = 100000000000\nwall_seconds = 0.3\n") + std::string(kExitCheck));
    SubmissionReport r = grade(t, kSubmissions / "spins-forever.s");
    EXPECT_EQ(r.trials.at(0).ending, "time limit (0.3 s) reached");
    EXPECT_FALSE(check(r, "exits 0").passed);
}

TEST(GraderTrials, the_output_limit_stops_a_flood) {
    TempLesson t(std::string("[limits]\noutput_bytes = 300\n") + std::string(kExitCheck));
    SubmissionReport r = grade(t, kSubmissions / "floods-output.s");
    EXPECT_EQ(r.trials.at(0).ending, "output limit (300 bytes) reached");
}

TEST(GraderTrials, the_memory_limit_makes_mmap_fail_with_enomem) {
    auto dir = test::temp_dir();
    fs::path big = test::write_file(dir.path() / "big.s", test::asm_program(R"(
	movl	$9, %eax
	xorl	%edi, %edi
	movq	$0x4000000, %rsi	# 64 MiB
	movl	$3, %edx
	movl	$0x22, %r10d
	movq	$-1, %r8
	xorl	%r9d, %r9d
	syscall
	exit_imm 0
)"));
    for (int mib : {16, 256}) {
        TempLesson t(fmt::format("[limits]\nmemory_mib = {}\n[[checks]]\nname = \"mmap\"\nkind = \"syscall\"\n"
                                 "call = \"mmap\"\nret = -12\npoints = 1\n",
                                 mib));
        SubmissionReport r = grade(t, big);
        EXPECT_EQ(check(r, "mmap").passed, mib == 16) << mib << ": " << check(r, "mmap").message;
    }
}

TEST(GraderTrials, short_reads_return_at_most_the_piece) {
    auto lesson_with = [&](size_t piece) {
        return fmt::format("[[trials]]\nname = \"pieces\"\nstdin = \"abcdefgh\"\n{}"
                           "[[checks]]\nname = \"echo\"\nkind = \"stdout\"\nequals = \"{}\"\npoints = 1\n"
                           "[[checks]]\nname = \"read's result\"\nkind = \"syscall\"\ncall = \"read\"\nret = {}\npoints = 1\n",
                           piece < 8 ? fmt::format("short_reads = {}\n", piece) : "",
                           std::string("abcdefgh").substr(0, piece), piece);
    };
    for (size_t piece : {1, 3, 8}) {  // 8: the whole input in one read
        TempLesson t(lesson_with(piece));
        SubmissionReport p = grade(t, kSubmissions / "short-read.s");
        EXPECT_TRUE(check(p, "echo").passed) << piece << ": " << check(p, "echo").message;
        EXPECT_TRUE(check(p, "read's result").passed) << piece << ": " << check(p, "read's result").message;
    }
}

TEST(GraderTrials, a_seed_draws_the_same_inputs_every_time_and_is_reported) {
    TempLesson t(R"(
[[trials]]
name = "echo"
stdin = "${word}"
[trials.random]
word = { kind = "word", min = 5, max = 30 }
[[checks]]
name = "echoes the word"
kind = "stdout"
equals = "${word}"
points = 1
[[checks]]
name = "reads its length"
kind = "syscall"
call = "read"
ret = "${#word}"
points = 1
)");
    SubmissionReport a = grade(t, kSubmissions / "short-read.s", 7), again = grade(t, kSubmissions / "short-read.s", 7),
                     b = grade(t, kSubmissions / "short-read.s", 8);
    EXPECT_EQ(a.score, a.max_score);
    EXPECT_EQ(b.score, b.max_score);
    EXPECT_EQ(a.seed, 7u);
    std::string word = a.trials.at(0).variables.at("word");
    EXPECT_GE(word.size(), 5u);
    EXPECT_LE(word.size(), 30u);
    EXPECT_EQ(again.trials.at(0).variables.at("word"), word);
    EXPECT_NE(b.trials.at(0).variables.at("word"), word);
}

TEST(GraderTrials, files_are_placed_in_the_guest_root_and_checked_after) {
    auto dir = test::temp_dir();
    // cat in.txt > out.txt, in one read and one write.
    fs::path copy = test::write_file(dir.path() / "copy.s", test::asm_program(R"(
	movl	$2, %eax
	leaq	in(%rip), %rdi
	xorl	%esi, %esi
	syscall
	movq	%rax, %rdi
	xorl	%eax, %eax
	leaq	buf(%rip), %rsi
	movl	$64, %edx
	syscall
	movq	%rax, %rbx
	movl	$2, %eax
	leaq	out(%rip), %rdi
	movl	$0x241, %esi		# O_WRONLY|O_CREAT|O_TRUNC
	movl	$0644, %edx
	syscall
	movq	%rax, %rdi
	movl	$1, %eax
	leaq	buf(%rip), %rsi
	movq	%rbx, %rdx
	syscall
	exit_imm 0
)", "in: .asciz \"in.txt\"\nout: .asciz \"out.txt\"\nbuf: .skip 64"));
    TempLesson t(R"(
[[trials]]
name = "copy"
files = { "in.txt" = "${w}!" }
random = { w = { kind = "word", min = 3, max = 8 } }
[[checks]]
name = "copied"
kind = "file"
path = "/out.txt"
equals = "${w}!"
points = 1
[[checks]]
name = "no leftovers"
kind = "file"
path = "/tmp.txt"
exists = false
points = 1
[[checks]]
name = "left open"
kind = "fds"
open_at_exit = [0, 1, 2, 3, 4]
points = 1
)");
    SubmissionReport r = grade(t, copy);
    for (auto& c : r.checks) EXPECT_TRUE(c.passed) << c.name << ": " << c.message;
}

// 300 KB of a student's output against a pattern: std::regex recursed once
// per character and crashed the grader at about 100 KB; RE2 gives a verdict.
TEST(GraderTrials, a_pattern_check_on_300_kb_of_output_gets_a_verdict) {
    TempLesson t(R"(
[limits]
output_bytes = 300000
wall_seconds = 120

[[checks]]
name = "greets"
kind = "stdout"
matches = 'hi\n(.|\n)*'
points = 1

[[checks]]
name = "says bye"
kind = "stdout"
matches = '(.|\n)*bye\n'
points = 1
)");
    SubmissionReport r = grade(t, kSubmissions / "floods-output.s");
    ASSERT_EQ(r.status, SubmissionStatus::graded) << r.error;
    EXPECT_EQ(r.trials.at(0).ending, "output limit (300000 bytes) reached");
    EXPECT_TRUE(check(r, "greets").passed) << check(r, "greets").message.substr(0, 200);
    EXPECT_FALSE(check(r, "says bye").passed);
    EXPECT_NE(check(r, "says bye").message.find("does not match"), std::string::npos) << check(r, "says bye").message;
}

// The assembler repeats a 300 KB token in its message; the grader locates it.
TEST(GraderTrials, an_assembler_error_on_a_huge_token_names_its_line) {
    TempLesson t(kExitCheck);
    auto dir = test::temp_dir();
    fs::path huge = test::write_file(dir.path() / "huge.s", ".text\n\n" + std::string(300'000, 'x') + "\n");
    SubmissionReport r = grade(t, huge);
    ASSERT_EQ(r.status, SubmissionStatus::build_error) << r.error;
    EXPECT_TRUE(r.error.starts_with(huge.string() + ":3: ")) << r.error.substr(0, 200);
}

TEST(GraderLessons, a_lesson_with_a_mistake_is_refused_with_its_line) {
    struct Bad {
        std::string toml, expect;
    };
    for (const Bad& b : std::vector<Bad>{
             {"[[checks]]\nname = \"x\"\nkind = \"stdout\"\nequal = \"hi\"\npoints = 1\n", "no key 'equal'"},
             {"[[checks]]\nname = \"x\"\nkind = \"stdot\"\npoints = 1\n", "unknown kind 'stdot'"},
             {"[[checks]]\nname = \"x\"\nkind = \"stdout\"\nmatches = \"(\"\npoints = 1\n", "not a regular expression"},
             {"[[checks]]\nname = \"x\"\nkind = \"diagnostic\"\nabsent = \"r11-not-rcx\"\npoints = 1\n", "no diagnostic"},
             {"colour = \"red\"\n", "unknown key 'colour'"},
             {"[limits]\ninstructions = -1\n", "must be positive"},
             {"[limits]\nwall_seconds = inf\n", "finite"},
             {"[limits]\ninstructions = 1e30\n", "at most 2^53"},
             {"[[checks]]\nname = \"x\"\nkind = \"exit\"\nstatus = 0\npoints = nan\n", "finite"},
             {"[[checks]]\nname = \"x\"\nkind = \"exit\"\nstatus = 0\npoints = -2\n", "must not be negative"},
             {"[[checks]]\nname = \"x\"\nkind = \"exit\"\nstatus = 0\npoints = 1\ntrials = [\"nope\"]\n", "no trial 'nope'"},
         }) {
        TempLesson t(b.toml);
        auto lesson = t.load();
        ASSERT_FALSE(lesson) << b.toml;
        EXPECT_NE(lesson.error().find(b.expect), std::string::npos) << lesson.error();
        EXPECT_NE(lesson.error().find("lesson.toml"), std::string::npos) << lesson.error();
    }
}

TEST(GraderLessons, every_lesson_in_the_tree_loads) {
    for (const fs::path& dir : lesson_dirs(fs::path(SYSENTRY_SOURCE_DIR) / "lessons")) {
        auto lesson = load_lesson(dir);
        if (!lesson && lesson.error().find("side is") != std::string::npos) continue;  // a quiz: not graded yet
        EXPECT_TRUE(lesson) << lesson.error();
    }
}

}  // namespace
}  // namespace sysentry::grading
