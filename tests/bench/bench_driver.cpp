// bench_driver: times the benchmark programs natively, under qemu-x86_64 and
// under `sysentry run`, and prints the figures side by side. Each figure is
// the median wall time of several runs of a fresh process (fork + execve +
// waitpid on CLOCK_MONOTONIC), so start-up is included unless subtracted.
// The runs being compared are interleaved round by round, so a burst of load
// on a shared machine lands on all of them rather than on one.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <string>
#include <vector>

namespace sysentry::bench {

using Command = std::vector<std::string>;

struct Options {
    std::string sysentry;
    std::string qemu;  // empty: qemu-x86_64 was not found
    std::string programs;
    uint64_t getpid_calls = 1'000'000;
    uint64_t compute_steps = 600'000'000;  // about 1 s natively
    int runs = 5;
    int getpid_runs = 3;  // each sysentry run of 1M calls takes seconds
    int startup_runs = 21;
    uint64_t itrace_steps = 200'000;  // about 1.8 M traced instructions, 150 MB of trace
};

// The ways of running a guest program; qemu is skipped when not installed.
enum class Runner { native, qemu, sysentry, sysentry_traced };

static const char* runner_name(Runner r) {
    switch (r) {
    case Runner::native: return "native";
    case Runner::qemu: return "qemu-x86_64";
    case Runner::sysentry: return "sysentry";
    case Runner::sysentry_traced: return "sysentry --trace-file";
    }
    return "?";
}

static std::optional<Command> command_for(const Options& o, Runner r, const std::string& program,
                                          const std::vector<std::string>& args) {
    Command c;
    switch (r) {
    case Runner::native: break;
    case Runner::qemu:
        if (o.qemu.empty()) return std::nullopt;
        c = {o.qemu};
        break;
    case Runner::sysentry: c = {o.sysentry, "run"}; break;
    case Runner::sysentry_traced: c = {o.sysentry, "run", "--trace-file", "/dev/null"}; break;
    }
    c.push_back(o.programs + "/" + program);
    c.insert(c.end(), args.begin(), args.end());
    return c;
}

static double now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Runs one command with its output discarded; returns its exit code, 128 +
// the signal if one killed it, or -1 if it could not be started or waited for.
static int run_once(const Command& cmd) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int null_fd = open("/dev/null", O_WRONLY);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        std::vector<char*> argv;
        for (const auto& a : cmd) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// One measured command: what it is, the exit code it must give, its samples.
struct Trial {
    Runner runner;
    std::string what;
    Command command;
    int expected_exit = 0;
    std::vector<double> samples;
    bool failed = false;
};

// `runs` rounds, each running every trial once.
static void run_interleaved(std::vector<Trial>& trials, int runs) {
    for (int round = 0; round < runs; ++round) {
        for (Trial& t : trials) {
            if (t.failed) continue;
            double start = now_seconds();
            int code = run_once(t.command);
            t.samples.push_back(now_seconds() - start);
            if (code == t.expected_exit) continue;
            fmt::print(stderr, "bench: {} under {} exited with {} (expected {})\n", t.what, runner_name(t.runner),
                       code, t.expected_exit);
            t.failed = true;
        }
    }
}

// A figure for one runner: seconds, or nullopt when not measured or failed.
using Figure = std::optional<double>;

static Figure median(const Trial& t) {
    if (t.failed || t.samples.empty()) return std::nullopt;
    std::vector<double> s = t.samples;
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    return s[s.size() / 2];
}

// How a trial is named in messages and found again: "program arg...".
static std::string describe(const std::string& program, const std::vector<std::string>& args) {
    return args.empty() ? program : fmt::format("{} {}", program, fmt::join(args, " "));
}

static void add_trial(std::vector<Trial>& trials, const Options& o, Runner r, const std::string& program,
                      const std::vector<std::string>& args, int expected_exit = 0) {
    if (auto cmd = command_for(o, r, program, args))
        trials.push_back({r, describe(program, args), *cmd, expected_exit, {}, false});
}

static Figure figure(const std::vector<Trial>& trials, Runner r, const std::string& what) {
    for (const Trial& t : trials)
        if (t.runner == r && t.what == what) return median(t);
    return std::nullopt;  // e.g. qemu-x86_64 not installed
}

// ---- output ----

static std::string format_time(Figure f) {
    if (!f) return "n/a";
    double s = *f;
    if (std::abs(s) < 1e-6) return fmt::format("{:.0f} ns", s * 1e9);
    if (std::abs(s) < 1e-3) return fmt::format("{:.2f} us", s * 1e6);
    if (std::abs(s) < 0.1) return fmt::format("{:.2f} ms", s * 1e3);
    if (std::abs(s) < 10.0) return fmt::format("{:.0f} ms", s * 1e3);
    return fmt::format("{:.2f} s", s);
}

static Figure ratio_of(Figure a, Figure b) {
    if (!a || !b || *b <= 0) return std::nullopt;
    return *a / *b;
}

static std::string format_ratio(Figure r) { return r ? fmt::format("{:.2f}x", *r) : "n/a"; }

struct Row {
    std::string what;
    Figure sysentry, native, qemu;
};

static constexpr const char* kRowFormat = "{:<34} {:>11} {:>11} {:>11} {:>10} {:>10}\n";

static void print_row(const Row& r) {
    fmt::print(fmt::runtime(kRowFormat), r.what, format_time(r.sysentry), format_time(r.native),
               format_time(r.qemu), format_ratio(ratio_of(r.sysentry, r.native)),
               format_ratio(ratio_of(r.sysentry, r.qemu)));
    std::fflush(stdout);
}

// A goal is met or missed by a measured ratio; n/a when it could not be measured.
static void print_goal(const std::string& goal, Figure ratio, double limit, bool at_most) {
    std::string verdict = "n/a";
    if (ratio) verdict = (at_most ? *ratio <= limit : *ratio >= limit) ? "met" : "missed";
    fmt::print("  {:<66} {:>7} {}\n", goal, ratio ? fmt::format("{:.2f}", *ratio) : "n/a", verdict);
}

// ---- the benchmarks ----

// Per-call cost of getpid: (time(N) - time(0)) / N removes process start-up.
static std::pair<Row, Row> getpid_rows(const Options& o) {
    const std::string calls = std::to_string(o.getpid_calls);
    std::vector<Trial> trials;
    for (Runner r : {Runner::sysentry, Runner::sysentry_traced, Runner::native, Runner::qemu}) {
        add_trial(trials, o, r, "getpid_loop", {calls});
        add_trial(trials, o, r, "getpid_loop", {"0"});
    }
    run_interleaved(trials, o.getpid_runs);
    auto per_call = [&](Runner r) -> Figure {
        Figure full = figure(trials, r, describe("getpid_loop", {calls}));
        Figure empty = figure(trials, r, describe("getpid_loop", {"0"}));
        if (!full || !empty) return std::nullopt;
        return (*full - *empty) / double(o.getpid_calls);
    };
    return {Row{"getpid round trip, per call", per_call(Runner::sysentry), per_call(Runner::native),
                per_call(Runner::qemu)},
            Row{"  same, --trace-file /dev/null", per_call(Runner::sysentry_traced), std::nullopt, std::nullopt}};
}

// The loop's exit status is its final state's low byte, which every runner
// must reproduce: the native run fixes it.
static Row compute_row(const Options& o) {
    const std::vector<std::string> steps{std::to_string(o.compute_steps)};
    const int expected = run_once(*command_for(o, Runner::native, "compute_loop", steps));
    std::vector<Trial> trials;
    for (Runner r : {Runner::sysentry, Runner::native, Runner::qemu})
        add_trial(trials, o, r, "compute_loop", steps, expected);
    run_interleaved(trials, o.runs);
    const std::string what = describe("compute_loop", steps);
    return {fmt::format("compute loop, {}M xorshift steps", o.compute_steps / 1'000'000),
            figure(trials, Runner::sysentry, what), figure(trials, Runner::native, what),
            figure(trials, Runner::qemu, what)};
}

static Row startup_row(const Options& o, const std::string& program) {
    std::vector<Trial> trials;
    for (Runner r : {Runner::sysentry, Runner::native, Runner::qemu}) add_trial(trials, o, r, program, {});
    run_interleaved(trials, o.startup_runs);
    return {fmt::format("start-up + exit: {}", program), figure(trials, Runner::sysentry, program),
            figure(trials, Runner::native, program), figure(trials, Runner::qemu, program)};
}

// ---- slots for the tools' figures ----
// Each helper building one of these tools fills its function (a Row, timed
// like getpid_rows: (time(N) - time(0)) / N removes start-up); until then it
// returns nullopt and the table says "not measured yet".
// Lines in a file (an itrace has one per instruction plus a header line).
static uint64_t count_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return uint64_t(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// `run --itrace FILE` over the compute loop: (time(N) - time(0)) / (lines(N) -
// lines(0)) is the cost of one traced instruction written to a file. Then the
// instruction counter alone (`--timeline`) against no tool on a long loop.
static std::optional<Row> itrace_throughput_row(const Options& o) {
    namespace fs = std::filesystem;
    char dir_template[] = "/tmp/sysentry-bench-itrace-XXXXXX";
    if (!mkdtemp(dir_template)) return std::nullopt;
    const fs::path dir = dir_template;
    const std::string loop = o.programs + "/compute_loop";
    auto native_status = [&](uint64_t steps) { return run_once({loop, std::to_string(steps)}); };
    auto traced = [&](uint64_t steps) {
        return Command{o.sysentry, "run", "--itrace", (dir / fmt::format("{}.txt", steps)).string(), loop,
                       std::to_string(steps)};
    };
    std::vector<Trial> trials = {
        {Runner::sysentry, "itrace N", traced(o.itrace_steps), native_status(o.itrace_steps), {}, false},
        {Runner::sysentry, "itrace 0", traced(0), native_status(0), {}, false},
    };
    run_interleaved(trials, o.runs);
    const double lines = double(count_lines((dir / fmt::format("{}.txt", o.itrace_steps)).string())) -
                         double(count_lines((dir / "0.txt").string()));
    fs::remove_all(dir);
    Figure full = median(trials[0]), empty = median(trials[1]);
    if (!full || !empty || lines <= 0) return std::nullopt;
    const double per_instruction = (*full - *empty) / lines;
    fmt::print("{:<34} {:.2f} M instructions/s into a file ({:.0f} instructions, goal: >= 1 M/s)\n",
               "itrace throughput", 1e-6 / per_instruction, lines);

    const std::vector<std::string> steps{std::to_string(o.compute_steps / 10)};
    std::vector<Trial> counting = {
        {Runner::sysentry, "untraced", *command_for(o, Runner::sysentry, "compute_loop", steps),
         native_status(o.compute_steps / 10), {}, false},
        {Runner::sysentry, "counted", {o.sysentry, "run", "--timeline", loop, steps[0]},
         native_status(o.compute_steps / 10), {}, false},
    };
    run_interleaved(counting, o.runs);
    if (Figure plain = median(counting[0]), counted = median(counting[1]); plain && counted)
        fmt::print("{:<34} {} with the instruction counter (--timeline), {} without: {:.2f}x\n",
                   fmt::format("compute loop, {}M steps", o.compute_steps / 10'000'000), format_time(counted),
                   format_time(plain), *counted / *plain);
    return Row{"itrace, per instruction", per_instruction, std::nullopt, std::nullopt};
}
static std::optional<Row> stepping_latency_row(const Options&) {
    return std::nullopt;  // SLOT(step): one `stepi` in `sysentry step -x FILE`, per step
}
// SLOT(grade): a batch of hello-write submissions (the lesson's own text), graded
// with `--jobs` = the cores; the summary splits assembling from emulating.
static constexpr int kGradedSubmissions = 300;
static constexpr const char* kHelloSubmission = R"(	.globl	_start
	.text
_start:
	movl	$1, %eax
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$15, %edx
	syscall
	movl	$60, %eax
	xorl	%edi, %edi
	syscall
	.section .rodata
msg:	.ascii	"Hello, kernel!\n"
)";

// A number from grade-summary.json ("key": value), or NaN.
static double summary_number(const std::string& json, const std::string& key) {
    auto at = json.find("\"" + key + "\":");
    return at == std::string::npos ? NAN : std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

static std::optional<Row> grading_throughput_row(const Options& o) {
    namespace fs = std::filesystem;
    char dir_template[] = "/tmp/sysentry-bench-grade-XXXXXX";
    if (!mkdtemp(dir_template)) return std::nullopt;
    fs::path dir = dir_template, subs = dir / "submissions";
    fs::create_directory(subs);
    for (int i = 0; i < kGradedSubmissions; ++i)
        std::ofstream(subs / fmt::format("student-{:03}.s", i)) << fmt::format("# student {}\n{}", i, kHelloSubmission);
    Command grade = {o.sysentry, "grade", "--lesson", "hello-write", "--seed", "1", "--format", "json",
                     "-o", dir / "report.json", "--summary-dir", dir, subs};
    double start = now_seconds();
    int code = run_once(grade);
    double wall = now_seconds() - start;
    std::ifstream in(dir / "grade-summary.json");
    std::string summary((std::istreambuf_iterator<char>(in)), {});
    fmt::print("{:<34} {} submissions in {:.2f} s (goal: under 15 s; exit {}), assembling+linking {:.2f} s, "
               "emulating {:.2f} s (summed over the workers)\n",
               "grading a batch", kGradedSubmissions, wall, code, summary_number(summary, "build_seconds"),
               summary_number(summary, "run_seconds"));
    fs::remove_all(dir);
    if (code != 0) return std::nullopt;
    return Row{"grading, per submission", wall / kGradedSubmissions, std::nullopt, std::nullopt};
}

static void print_tool_rows(const Options& o) {
    const std::pair<const char*, std::optional<Row> (*)(const Options&)> slots[] = {
        {"itrace throughput", itrace_throughput_row},
        {"stepping latency", stepping_latency_row},
        {"grading throughput", grading_throughput_row},
    };
    for (const auto& [what, row_of] : slots) {
        if (auto row = row_of(o)) print_row(*row);
        else fmt::print("{:<34} not measured yet (slot in bench_driver.cpp)\n", what);
    }
}

static int run_benchmarks(const Options& o) {
    fmt::print("sysentry benchmarks: wall-clock medians of {} runs (getpid: {}, start-up: {});\n"
               "/native and /qemu are sysentry's time divided by theirs: lower is better\n\n",
               o.runs, o.getpid_runs, o.startup_runs);
    fmt::print(fmt::runtime(kRowFormat), "benchmark", "sysentry", "native", "qemu-x86_64", "/native", "/qemu");

    auto [getpid, traced] = getpid_rows(o);
    print_row(getpid);
    print_row(traced);
    Row compute = compute_row(o);
    print_row(compute);
    std::vector<Row> startups;
    for (const char* program : {"hello", "hello_libc"}) {
        startups.push_back(startup_row(o, program));
        print_row(startups.back());
    }
    // What a shell pays per command: minus hello's start-up, one fork and one execve.
    Row fork_exec = startup_row(o, "fork_exec");
    fork_exec.what = "start-up + fork + execve: fork_exec";
    print_row(fork_exec);

    print_tool_rows(o);

    fmt::print("\ngoals{:>70} verdict\n", "ratio");
    print_goal("getpid round trip <= a native syscall (sysentry/native)", ratio_of(getpid.sysentry, getpid.native),
               1.0, true);
    print_goal("compute speed >= 0.9x qemu's (qemu time / sysentry time)", ratio_of(compute.qemu, compute.sysentry),
               0.9, false);
    for (const Row& r : startups)
        print_goal(fmt::format("{} no slower than qemu (sysentry/qemu)", r.what), ratio_of(r.sysentry, r.qemu),
                   1.0, true);
    // Not a goal with a limit: what a trace line adds to each round trip.
    if (traced.sysentry && getpid.sysentry)
        fmt::print("\ntracing to /dev/null adds {} per call ({:.2f}x the untraced round trip)\n",
                   format_time(*traced.sysentry - *getpid.sysentry), *traced.sysentry / *getpid.sysentry);
    bool all_measured = getpid.sysentry && traced.sysentry && compute.sysentry;
    for (const Row& r : startups) all_measured = all_measured && r.sysentry;
    all_measured = all_measured && fork_exec.sysentry;
    return all_measured ? 0 : 1;
}

}  // namespace sysentry::bench

int main(int argc, char** argv) {
    sysentry::bench::Options o;
    CLI::App app{"Time the sysentry benchmark programs natively, under qemu-x86_64 and under sysentry"};
    app.add_option("--sysentry", o.sysentry, "The sysentry binary")->required()->check(CLI::ExistingFile);
    app.add_option("--qemu", o.qemu, "The qemu-x86_64 binary (omit to skip its column)");
    app.add_option("--programs", o.programs, "Directory holding the benchmark programs")
        ->required()
        ->check(CLI::ExistingDirectory);
    app.add_option("--getpid-calls", o.getpid_calls, "getpid calls per timed run")->check(CLI::PositiveNumber);
    app.add_option("--compute-steps", o.compute_steps, "xorshift steps in the compute loop");
    app.add_option("--runs", o.runs, "Runs per compute-loop figure (median taken)")->check(CLI::PositiveNumber);
    app.add_option("--getpid-runs", o.getpid_runs, "Runs per getpid figure")->check(CLI::PositiveNumber);
    app.add_option("--itrace-steps", o.itrace_steps, "Compute-loop steps traced by --itrace")->check(CLI::PositiveNumber);
    app.add_option("--startup-runs", o.startup_runs, "Runs per start-up figure")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    return sysentry::bench::run_benchmarks(o);
}
