// bench_driver: times the benchmark programs natively, under qemu-x86_64 and
// under `sysentry run`, and prints the figures side by side. Each figure is
// the median of several runs of a fresh process (fork + execve + waitpid),
// timed on CLOCK_MONOTONIC, so start-up is included unless subtracted.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fmt/format.h>
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
    uint64_t compute_steps = 600'000'000;
    int runs = 3;
    int startup_runs = 21;
};

static double now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Runs one command with its output discarded; returns the wait status.
static int run_once(const Command& cmd) {
    pid_t pid = fork();
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
    waitpid(pid, &status, 0);
    return status;
}

struct Timing {
    double seconds = 0;  // median wall time
    int exit_code = -1;  // of the last run; every run must agree
    bool consistent = true;
};

static Timing median_run(const Command& cmd, int runs) {
    std::vector<double> samples;
    Timing t;
    for (int i = 0; i < runs; ++i) {
        double start = now_seconds();
        int status = run_once(cmd);
        samples.push_back(now_seconds() - start);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (i > 0 && code != t.exit_code) t.consistent = false;
        t.exit_code = code;
    }
    std::nth_element(samples.begin(), samples.begin() + runs / 2, samples.end());
    t.seconds = samples[runs / 2];
    return t;
}

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

// A figure for one runner: seconds, or nullopt when not measured or failed.
using Figure = std::optional<double>;

static bool warn_on_failure(const Timing& t, int expected, Runner r, const std::string& what) {
    if (t.consistent && t.exit_code == expected) return true;
    fmt::print(stderr, "bench: {} under {} exited with {} (expected {}){}\n", what, runner_name(r), t.exit_code,
               expected, t.consistent ? "" : ", inconsistently");
    return false;
}

// Per-call cost of getpid: (time(N) - time(0)) / N removes process start-up.
static Figure getpid_per_call(const Options& o, Runner r) {
    auto full = command_for(o, r, "getpid_loop", {std::to_string(o.getpid_calls)});
    auto empty = command_for(o, r, "getpid_loop", {"0"});
    if (!full) return std::nullopt;
    Timing t_full = median_run(*full, o.runs);
    Timing t_empty = median_run(*empty, o.runs);
    if (!warn_on_failure(t_full, 0, r, "getpid_loop") || !warn_on_failure(t_empty, 0, r, "getpid_loop 0"))
        return std::nullopt;
    return (t_full.seconds - t_empty.seconds) / double(o.getpid_calls);
}

// Whole-program wall time; every runner must reach the native exit status.
static Figure whole_run(const Options& o, Runner r, const std::string& program,
                        const std::vector<std::string>& args, int runs, int expected) {
    auto cmd = command_for(o, r, program, args);
    if (!cmd) return std::nullopt;
    Timing t = median_run(*cmd, runs);
    if (!warn_on_failure(t, expected, r, program)) return std::nullopt;
    return t.seconds;
}

static std::string format_time(Figure f) {
    if (!f) return "n/a";
    double s = *f;
    if (s < 1e-6) return fmt::format("{:.0f} ns", s * 1e9);
    if (s < 1e-3) return fmt::format("{:.2f} us", s * 1e6);
    if (s < 1.0) return fmt::format("{:.2f} ms", s * 1e3);
    return fmt::format("{:.3f} s", s);
}

static std::string format_ratio(Figure num, Figure den) {
    if (!num || !den || *den <= 0) return "n/a";
    return fmt::format("{:.2f}x", *num / *den);
}

struct Row {
    std::string what;
    Figure sysentry, native, qemu;
};

static void print_row(const Row& r) {
    fmt::print("{:<34} {:>11} {:>11} {:>11} {:>10} {:>10}\n", r.what, format_time(r.sysentry),
               format_time(r.native), format_time(r.qemu), format_ratio(r.sysentry, r.native),
               format_ratio(r.sysentry, r.qemu));
}

// A goal is met or missed by a measured ratio; n/a when it could not be measured.
static void print_goal(const std::string& goal, Figure ratio, double limit, bool at_most) {
    std::string verdict = "n/a";
    if (ratio) verdict = (at_most ? *ratio <= limit : *ratio >= limit) ? "met" : "missed";
    fmt::print("  {:<62} {:>8} {}\n", goal, ratio ? fmt::format("{:.2f}", *ratio) : "n/a", verdict);
}

static Figure ratio_of(Figure a, Figure b) {
    if (!a || !b || *b <= 0) return std::nullopt;
    return *a / *b;
}

static int run_benchmarks(const Options& o) {
    fmt::print("sysentry benchmarks: wall time, median of {} runs ({} for start-up); sysentry/x = "
               "time ratio, lower is better\n\n",
               o.runs, o.startup_runs);
    fmt::print("{:<34} {:>11} {:>11} {:>11} {:>10} {:>10}\n", "benchmark", "sysentry", "native", "qemu-x86_64",
               "/native", "/qemu");
    std::fflush(stdout);

    Row getpid{fmt::format("getpid round trip, per call"), getpid_per_call(o, Runner::sysentry),
               getpid_per_call(o, Runner::native), getpid_per_call(o, Runner::qemu)};
    print_row(getpid);
    Row traced{"  same, --trace-file /dev/null", getpid_per_call(o, Runner::sysentry_traced), std::nullopt,
               std::nullopt};
    print_row(traced);
    std::fflush(stdout);

    // The native run fixes the exit status (the xorshift state's low byte)
    // that the emulated runs must reproduce.
    std::vector<std::string> steps{std::to_string(o.compute_steps)};
    auto native_compute_cmd = command_for(o, Runner::native, "compute_loop", steps);
    int expected_state = median_run(*native_compute_cmd, 1).exit_code;
    Row compute{fmt::format("compute loop, {}M xorshift steps", o.compute_steps / 1'000'000),
                whole_run(o, Runner::sysentry, "compute_loop", steps, o.runs, expected_state),
                whole_run(o, Runner::native, "compute_loop", steps, o.runs, expected_state),
                whole_run(o, Runner::qemu, "compute_loop", steps, o.runs, expected_state)};
    print_row(compute);
    std::fflush(stdout);

    std::vector<Row> startups;
    for (const char* program : {"hello", "hello_libc"}) {
        startups.push_back({fmt::format("start-up + exit: {}", program),
                            whole_run(o, Runner::sysentry, program, {}, o.startup_runs, 0),
                            whole_run(o, Runner::native, program, {}, o.startup_runs, 0),
                            whole_run(o, Runner::qemu, program, {}, o.startup_runs, 0)});
        print_row(startups.back());
    }

    fmt::print("\ngoals{:>67} verdict\n", "ratio");
    print_goal("getpid round trip <= a native syscall (sysentry/native)", ratio_of(getpid.sysentry, getpid.native),
               1.0, true);
    print_goal("compute speed >= 0.9x qemu's (qemu time / sysentry time)", ratio_of(compute.qemu, compute.sysentry),
               0.9, false);
    for (const Row& r : startups)
        print_goal(fmt::format("{} no slower than qemu (sysentry/qemu)", r.what), ratio_of(r.sysentry, r.qemu),
                   1.0, true);
    print_goal("tracing to /dev/null, per-call cost (traced/untraced)", ratio_of(traced.sysentry, getpid.sysentry),
               1.0, true);
    bool all_measured = getpid.sysentry && traced.sysentry && compute.sysentry;
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
    app.add_option("--getpid-calls", o.getpid_calls, "getpid calls per timed run");
    app.add_option("--compute-steps", o.compute_steps, "xorshift steps in the compute loop");
    app.add_option("--runs", o.runs, "Runs per figure (median taken)")->check(CLI::PositiveNumber);
    app.add_option("--startup-runs", o.startup_runs, "Runs per start-up figure")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    return sysentry::bench::run_benchmarks(o);
}
