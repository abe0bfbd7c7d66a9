// `sysentry run --trace` against the real strace: differential programs
// (tests/differential/programs) run natively under `strace -f` and under
// sysentry, and the two traces must agree line by line once the few things that
// must differ between two runs are normalised (see normalise_line). Skipped when
// strace is not installed.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

#ifdef SYSENTRY_DIFFERENTIAL_DIR
const fs::path kProgramsDir = SYSENTRY_DIFFERENTIAL_DIR;
#else
const fs::path kProgramsDir = fs::path(SYSENTRY_EXAMPLES_DIR).parent_path().parent_path() / "tests/differential";
#endif
constexpr std::chrono::milliseconds kHostTimeout{20'000};

// Compared: programs whose system calls do not depend on the host beyond what
// the normaliser covers. Left out, because their traces depend on the host:
// fork_pipe_wait (how the parent's reads split the child's three writes is up
// to the host's scheduler), fork_signal_child (whether the last child is
// already in pause() when SIGKILL comes is a race; signal_children waits
// for it), cwd (the host's directory names), uname (the host's kernel
// release), sleep_clock and waitid_timers (wall-clock values, and the order
// of timer expiries), pthreads (the host schedules threads: futex waits appear
// or not), poll_select (results that depend on timing); and exec_self,
// errno_strings, stdio_exit and big_output, which write to stderr, where
// strace's own lines interleave with the program's output.
const char* const kPrograms[] = {"signals", "signal_default_term", "signal_sources", "signal_children",
                                 "files",   "dirs",                "dup_fcntl"};

struct Case {
    std::string program;
    bool musl;
    std::string name() const { return program + (musl ? "_musl" : "_glibc"); }
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name(); }

std::vector<Case> all_cases() {
    std::vector<Case> out;
    for (const char* p : kPrograms)
        for (bool musl : {false, true}) out.push_back({p, musl});
    return out;
}

// The same small environment on both sides, so execve's "/* N vars */" agrees.
std::vector<std::string> fixed_environment() {
    return {"/usr/bin/env", "-i", "PATH=/bin:/usr/bin", "HOME=/", "LANG=C"};
}

// ------------------------------------------------------------ normalising ----

// Process ids, each replaced by its place in the run: P0 the program, P1... its
// children in the order their forks returned. Host pids are arbitrary; sysentry's
// start at 1000.
class PidNames {
public:
    void add(const std::string& pid) {
        if (!names_.contains(pid)) names_[pid] = fmt::format("P{}", names_.size());
    }
    std::string name(const std::string& pid) const {
        auto it = names_.find(pid);
        return it == names_.end() ? pid : it->second;
    }

private:
    std::map<std::string, std::string> names_;
};

// Replaces capture group 1 of each match of `re` in `line` by `with(group)`.
std::string replace_group(const std::string& line, const std::regex& re,
                          const std::function<std::string(const std::string&)>& with) {
    std::string out;
    auto last = line.cbegin();
    for (std::sregex_iterator it(line.begin(), line.end(), re), end; it != end; ++it) {
        const std::smatch& m = *it;
        out.append(last, m[1].first);
        out += with(m[1].str());
        last = m[1].second;
    }
    out.append(last, line.cend());
    return out;
}

// The pids a trace names: the program's own (set_tid_address returns it at
// start-up, in glibc and musl alike) and each fork's, in order.
PidNames pid_names(const std::vector<std::string>& lines) {
    static const std::regex kOwn(R"(set_tid_address\(.*\) += (\d+)$)");
    static const std::regex kForked(R"((?:clone|clone3|fork|vfork)(?:\(| resumed>).* = (\d+)$)");
    PidNames names;
    std::smatch m;
    for (const std::string& l : lines)
        if (std::regex_search(l, m, kOwn)) {
            names.add(m[1]);
            break;
        }
    for (const std::string& l : lines)
        if (std::regex_search(l, m, kForked)) names.add(m[1]);
    return names;
}

// Where a pid appears: strace's prefix, a siginfo's si_pid, the results of the
// calls returning one, and the pid arguments of the calls taking one.
std::string name_pids(const std::string& line, const PidNames& names) {
    static const std::regex kContexts[] = {
        std::regex(R"(\[pid +(\d+)\])"),
        std::regex(R"(si_pid=(\d+))"),
        std::regex(R"((?:getpid|gettid|set_tid_address|clone|clone3|fork|vfork|wait4)(?:\(| resumed>).* = (\d+)$)"),
        std::regex(R"((?:kill|tkill|tgkill|rt_sigqueueinfo|wait4|waitid\(P_PID,) ?\(?(\d+))"),
        std::regex(R"(tgkill\((?:P\d+|\d+), (\d+))"),
    };
    std::string out = line;
    for (const std::regex& re : kContexts)
        out = replace_group(out, re, [&](const std::string& pid) { return names.name(pid); });
    return out;
}

// getcwd: the native run's working directory is what the guest sees as "/"
// (--root); its result and length are put as the guest would see them.
std::string guest_cwd(const std::string& line, const std::string& native_cwd) {
    static const std::regex kGetcwd(R"(^(.*getcwd\(")([^"]*)(", \d+\) += )(\d+)$)");
    std::smatch m;
    if (native_cwd.empty() || !std::regex_match(line, m, kGetcwd) || !m[2].str().starts_with(native_cwd)) return line;
    std::string rel = m[2].str().substr(native_cwd.size());
    if (rel.empty()) rel = "/";
    return m[1].str() + rel + m[3].str() + std::to_string(rel.size() + 1);
}

// Everything else that must differ between two runs, one rule each.
// `native_cwd` is "" for sysentry's trace.
std::string normalise_line(std::string line, const std::string& program, const std::string& native_cwd) {
    // The program's path, which only appears in execve and readlink("/proc/self/exe").
    for (size_t at; (at = line.find(program)) != std::string::npos;) line.replace(at, program.size(), "PROGRAM");
    line = guest_cwd(line, native_cwd);
    static const std::vector<std::pair<std::regex, std::string>> kRules = {
        // Addresses: the host randomises the stack, the break and mmap areas; short
        // hex values (flags, sizes, rseq's signature aside) stay as they are.
        {std::regex(R"(0x[0-9a-f]{5,})"), "0xADDR"},
        // getrandom's bytes (glibc's malloc cookie) are random.
        {std::regex(R"(getrandom\("[^"]*")"), "getrandom(\"RANDOM\""},
        // Inode numbers and directory offsets (ext4 hashes) belong to the host's filesystem.
        {std::regex(R"(d_ino=\d+)"), "d_ino=N"},
        {std::regex(R"(d_off=\d+)"), "d_off=N"},
        {std::regex(R"(st_ino=\d+)"), "st_ino=N"},
        {std::regex(R"(st_dev=makedev\([^)]*\))"), "st_dev=DEV"},
        // readlink("/proc/self/exe"): the path was replaced above; its length goes with it.
        {std::regex(R"((readlink\("/proc/self/exe", "PROGRAM", \d+\) +=) \d+)"), "$1 LEN"},
    };
    for (const auto& [re, with] : kRules) line = std::regex_replace(line, re, with);
    return line;
}

// strace pads a call to column 40 before " = ". A value replaced above changes
// the width, and a line strace split in two is padded per half: for those
// lines (marked `loose`) the padding is not compared.
std::string without_padding(const std::string& line) {
    static const std::regex kPadding(R"( {2,}= )");
    return std::regex_replace(line, kPadding, " = ");
}

// ---------------------------------------------------------- per process ----

// One process's lines, with "<unfinished ...>" and its "<... resumed>" joined
// into the line strace would print had nothing come between, and its SIGCHLD
// lines apart: when a child's exit reaches its parent depends on how the host
// scheduled the two, so they are compared as a set, the rest in order.
struct ProcessLines {
    std::vector<std::string> lines;
    std::vector<bool> loose;  // for each line: changed by the normaliser, or joined from two
    std::multiset<std::string> sigchld;
};

using Streams = std::map<std::string, ProcessLines>;

Streams split_by_process(const std::vector<std::string>& raw, const std::string& program,
                         const std::string& native_cwd) {
    static const std::regex kPrefix(R"(^\[pid +(P\d+|\d+)\] (.*)$)");
    static const std::regex kResumed(R"(^<\.\.\. [a-z0-9_]+ resumed>(.*)$)");
    static const std::regex kExit(R"(^\+\+\+ (exited|killed) )");
    static const std::regex kForked(R"((?:clone|clone3|fork|vfork)\(.* = (P\d+)$)");
    constexpr std::string_view kUnfinished = " <unfinished ...>";
    PidNames names = pid_names(raw);
    Streams out;
    std::map<std::string, std::string> unfinished;  // process -> the line's start
    std::set<std::string> live = {"P0"};
    for (const std::string& r : raw) {
        std::string line = normalise_line(name_pids(r, names), program, native_cwd);
        bool loose = line != r;
        std::smatch m;
        std::string who = live.size() == 1 ? *live.begin() : "P0";  // no prefix: the only process traced
        if (std::regex_match(line, m, kPrefix)) who = m[1], line = m[2];
        if (line.ends_with(kUnfinished)) {
            unfinished[who] = line.substr(0, line.size() - kUnfinished.size());
            continue;
        }
        if (std::regex_match(line, m, kResumed)) line = unfinished[who] + m[1].str(), loose = true;
        if (std::regex_search(line, m, kForked)) live.insert(m[1]);
        if (std::regex_search(line, kExit)) live.erase(who);
        if (line.starts_with("--- SIGCHLD ")) {
            out[who].sigchld.insert(line);
        } else {
            out[who].lines.push_back(line);
            out[who].loose.push_back(loose);
        }
    }
    return out;
}

// strace's own notice "strace: Process N attached", printed when it starts
// tracing a child: a message about strace (-q silences it), not a traced event,
// and written into the middle of the parent's clone line. Taken out, the two
// halves of that line join again.
std::string without_attach_notices(const std::string& text) {
    static const std::regex kNotice(R"(strace: Process \d+ attached\n)");
    return std::regex_replace(text, kNotice, "");
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// "" when the traces agree; else the first difference of each process, with context.
std::string compare(const Streams& native, const Streams& guest) {
    std::string d;
    for (const auto& [who, n] : native) {
        auto it = guest.find(who);
        if (it == guest.end()) {
            d += fmt::format("{}: only in the native trace\n", who);
            continue;
        }
        const ProcessLines& g = it->second;
        auto same = [&](size_t k) {
            return n.lines[k] == g.lines[k] ||
                   ((n.loose[k] || g.loose[k]) && without_padding(n.lines[k]) == without_padding(g.lines[k]));
        };
        size_t i = 0;
        while (i < n.lines.size() && i < g.lines.size() && same(i)) ++i;
        if (i < n.lines.size() || i < g.lines.size()) {
            d += fmt::format("{} differs at its line {}:\n", who, i + 1);
            for (size_t k = i >= 2 ? i - 2 : 0; k < i; ++k) d += "    same:     " + n.lines[k] + "\n";
            d += "    strace:   " + (i < n.lines.size() ? n.lines[i] : std::string("(end)")) + "\n";
            d += "    sysentry: " + (i < g.lines.size() ? g.lines[i] : std::string("(end)")) + "\n";
        }
        if (n.sigchld != g.sigchld) {
            d += fmt::format("{}: SIGCHLD lines differ\n", who);
            for (auto& l : n.sigchld) d += "    strace:   " + l + "\n";
            for (auto& l : g.sigchld) d += "    sysentry: " + l + "\n";
        }
    }
    for (const auto& [who, g] : guest)
        if (!native.contains(who)) d += fmt::format("{}: only in sysentry's trace\n", who);
    return d;
}

// --------------------------------------------------------------- the test ----

class strace_comparison : public ::testing::TestWithParam<Case> {};

TEST_P(strace_comparison, trace_matches_strace) {
    if (!on_path("strace")) GTEST_SKIP() << "strace is not installed";
    const Case& c = GetParam();
    fs::path exe = kProgramsDir / (c.program + (c.musl ? "-musl" : ""));
    if (!fs::exists(exe)) {
        if (c.musl) GTEST_SKIP() << "musl-gcc is not installed";
        FAIL() << exe << " was not built (target differential_programs)";
    }
    exe = fs::canonical(exe);  // what the native readlink("/proc/self/exe") shows

    ScratchRoot native_dir = temp_dir("sysentry-strace-native");
    std::vector<std::string> native_args = fixed_environment();
    native_args.insert(native_args.end(), {"strace", "-f", exe.string()});
    ProcessRun native = run_process(native_args, {.cwd = native_dir.path(), .timeout = kHostTimeout});
    ASSERT_TRUE(native.error.empty() && !native.timed_out) << describe(native);
    if (native.err.find("PTRACE_TRACEME") != std::string::npos || native.err.starts_with("strace: "))
        GTEST_SKIP() << "strace cannot trace here: " << native.err.substr(0, native.err.find('\n'));

    ScratchRoot root = temp_dir("sysentry-strace-guest");
    std::vector<std::string> guest_args = fixed_environment();
    guest_args.insert(guest_args.end(), {SYSENTRY_CLI, "run", "--trace", "--root", root.path().string(), "--rw",
                                         "--timeout", "10", exe.string()});
    ProcessRun guest = run_process(guest_args, {.timeout = kHostTimeout});
    ASSERT_TRUE(guest.error.empty() && !guest.timed_out) << describe(guest);

    EXPECT_EQ(guest.status(), native.status());
    EXPECT_EQ(guest.out, native.out);
    std::string d = compare(split_by_process(lines_of(without_attach_notices(native.err)), exe.string(),
                                             fs::canonical(native_dir.path()).string()),
                            split_by_process(lines_of(guest.err), exe.string(), ""));
    EXPECT_EQ(d, "") << c.name() << ": the traces differ\n" << d << "--- strace:\n" << native.err
                     << "--- sysentry:\n" << guest.err;
}

INSTANTIATE_TEST_SUITE_P(programs, strace_comparison, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return info.param.name(); });

}  // namespace
}  // namespace sysentry::test
