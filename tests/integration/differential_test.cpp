// The differential suite: every program in tests/differential/programs/ (built
// with glibc and with musl) and a set of busybox applet lines run natively and
// under `sysentry run`; stdout, stderr, the exit status and the files left in
// the working directory must be the same. Cases named in
// tests/differential/pending.txt need features still being built: they run,
// skip when they fail, and fail when they pass (so the list only shrinks).
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

#ifdef SYSENTRY_DIFFERENTIAL_DIR
const fs::path kProgramsDir = SYSENTRY_DIFFERENTIAL_DIR;
#else  // where tests/differential/CMakeLists.txt puts them, found before that file sets the define
const fs::path kProgramsDir = fs::path(SYSENTRY_EXAMPLES_DIR).parent_path().parent_path() / "tests/differential";
#endif
#ifndef SYSENTRY_DIFFERENTIAL_MUSL
#define SYSENTRY_DIFFERENTIAL_MUSL 0
#endif
const fs::path kPendingList = fs::path(SYSENTRY_SOURCE_DIR) / "tests/differential/pending.txt";
const fs::path kBusybox = "/bin/busybox";
// A case that hangs (a missing feature blocks the guest) costs this much; the slowest
// passing case (qsort_compute_musl) takes about 2 s.
const std::string kGuestTimeoutSeconds = std::to_string(kSlowdown * 8);
constexpr std::chrono::milliseconds kHostTimeout{kSlowdown * 10'000};  // --timeout cannot stop a guest blocked in the host

enum class Flavour { glibc, musl, busybox };

struct Case {
    std::string name;  // the test's parameter name and its key in pending.txt
    Flavour flavour;
    std::string program;             // programs/<program>.c, or "busybox"
    std::vector<std::string> args;   // argv[1..]
    std::string stdin_text;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// ~100 KB of varied bytes for stdin_eof: every byte value, in a pattern that does not repeat quickly.
std::string stdin_bytes() {
    std::string s(100'000, '\0');
    for (size_t i = 0; i < s.size(); ++i) s[i] = char((i * 131 + i / 257) & 0xff);
    return s;
}

struct ProgramCase {
    std::string program;
    std::vector<std::string> args;
    std::string stdin_text;
};

std::vector<ProgramCase> program_cases() {
    return {
        {"stdio_exit", {}, ""},
        {"files", {}, ""},
        {"dirs", {}, ""},
        {"links", {}, ""},
        {"malloc_big", {}, ""},
        {"mmap_anon", {}, ""},
        {"mmap_file", {}, ""},
        {"argv_env", {"one", "two words", "", "ünïcode", "--flag=x"}, ""},
        {"auxv", {}, ""},
        {"fork_pipe_wait", {}, ""},
        {"fork_signal_child", {}, ""},
        {"exec_self", {}, ""},
        {"signals", {}, ""},
        {"signal_default_term", {}, ""},
        {"signal_sources", {}, ""},
        {"signal_children", {}, ""},
        {"sleep_clock", {}, ""},
        {"cwd", {}, ""},
        {"dup_fcntl", {}, ""},
        {"uname", {}, ""},
        {"stdin_eof", {}, stdin_bytes()},
        {"errno_strings", {}, ""},
        {"qsort_compute", {}, ""},
        {"pthreads", {}, ""},
        {"big_output", {}, ""},
        {"poll_select", {}, ""},
        {"waitid_timers", {}, ""},
    };
}

// Busybox lines: a readable label and the applet's argv.
std::vector<std::pair<std::string, std::vector<std::string>>> busybox_lines() {
    return {
        {"echo", {"echo", "hello", "busybox", "-n"}},
        {"seq", {"seq", "3", "2", "20"}},
        {"printf", {"printf", "%s=%05d %x\\n", "a", "42", "255", "b", "-7", "16"}},
        {"expr", {"expr", "6", "*", "7"}},
        {"wc", {"wc", "-l", "-w", "-c"}},
        {"sort", {"sort", "-n", "-r"}},
        {"sha256sum", {"sha256sum"}},
        {"md5sum", {"md5sum"}},
        {"uname", {"uname", "-s", "-m"}},
        {"basename", {"basename", "/usr/lib/libfoo.so", ".so"}},
        {"true", {"true"}},
        {"false", {"false"}},
        {"cat", {"cat"}},
        {"ls", {"ls", "-1ap", ".", "bin"}},
        {"head", {"head", "-n", "2"}},
        {"tr", {"tr", "a-z", "A-Z"}},
        {"od", {"od", "-A", "x", "-t", "x1", "-c"}},
        {"sh_arithmetic", {"sh", "-c", "echo $((6 * 7)) $((1 << 10)) $((17 % 5))"}},
        {"sh_loop", {"sh", "-c", "i=0; while [ $i -lt 5 ]; do echo line $i; i=$((i + 1)); done"}},
        {"sh_command_substitution", {"sh", "-c", "x=$(echo inner); echo \"got $x\""}},
        {"sh_pipeline", {"sh", "-c", "seq 1 100 | sort -r -n | head -n 3 | tr '\\n' ' '; echo"}},
        {"sh_exit", {"sh", "-c", "echo before; exit 7; echo after"}},
        {"sh_files", {"sh", "-c", "echo data > f.txt; mkdir d; cp f.txt d/g.txt; cat d/g.txt; ls -1 d"}},
    };
}

// Text the stdin-reading applets get.
constexpr std::string_view kBusyboxStdin = "pear apple\n10 banana\n2 cherry\nzebra\n\tlast line\n";

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    for (auto& p : program_cases())
        for (Flavour f : {Flavour::glibc, Flavour::musl})
            cases.push_back({p.program + (f == Flavour::glibc ? "_glibc" : "_musl"), f, p.program, p.args,
                             p.stdin_text});
    for (auto& [label, args] : busybox_lines())
        cases.push_back({"busybox_" + label, Flavour::busybox, "busybox", args, std::string(kBusyboxStdin)});
    return cases;
}

// ------------------------------------------------------------- pending ----

// pending.txt: "<case name>  # <reason>" per line; blank lines and whole-line comments are ignored.
std::map<std::string, std::string> pending_cases() {
    std::map<std::string, std::string> out;
    std::istringstream in(read_file(kPendingList));
    for (std::string line; std::getline(in, line);) {
        auto hash = line.find('#');
        std::string name = line.substr(0, hash), reason = hash == std::string::npos ? "" : line.substr(hash + 1);
        auto trim = [](std::string& s) {
            s.erase(0, s.find_first_not_of(" \t"));
            s.erase(s.find_last_not_of(" \t\r") + 1);
        };
        trim(name);
        trim(reason);
        if (!name.empty()) out[name] = reason.empty() ? "no reason given" : reason;
    }
    return out;
}

// ------------------------------------------------------------ running ----

// The files a run left behind: one line per entry, sorted, with type, mode and size and
// a hash of the content (or the link's target), so any difference shows.
std::string tree_listing(const fs::path& dir) {
    std::vector<std::string> lines;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        const fs::directory_entry& e = *it;
        std::string rel = fs::relative(e.path(), dir).string();
        struct stat st {};
        lstat(e.path().c_str(), &st);
        if (S_ISLNK(st.st_mode)) {
            lines.push_back(fmt::format("{} symlink -> {}", rel, fs::read_symlink(e.path()).string()));
        } else if (S_ISDIR(st.st_mode)) {
            lines.push_back(fmt::format("{}/ dir {:o}", rel, st.st_mode & 07777));
        } else {
            std::string content = read_file(e.path());
            uint64_t hash = 1469598103934665603ULL;  // FNV-1a
            for (unsigned char c : content) hash = (hash ^ c) * 1099511628211ULL;
            lines.push_back(fmt::format("{} file {:o} size {} nlink {} fnv {:016x}", rel, st.st_mode & 07777,
                                        st.st_size, st.st_nlink, hash));
        }
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
}

// `env -i` and the same few variables for both sides (sysentry passes its own
// environment on): the stack layout, and so the run, does not depend on the caller's.
std::vector<std::string> fixed_environment() {
    return {"/usr/bin/env", "-i", "PATH=/bin:/usr/bin", "HOME=/", "LANG=C",
            "SYSENTRY_DIFF_VAR=a value with spaces = and an equals sign"};  // argv_env reads it
}

struct Side {
    ProcessRun run;
    std::string files;
};

// A fresh directory: the native run's cwd, or the guest's root. Busybox needs
// /bin/busybox in it (its shell runs applets by that path), and both sides get it alike.
ScratchRoot working_dir(const Case& c, std::string_view prefix) {
    ScratchRoot dir = temp_dir(prefix);
    if (c.flavour == Flavour::busybox) {
        fs::create_directory(dir.path() / "bin");
        fs::copy_file(kBusybox, dir.path() / "bin/busybox");
    }
    return dir;
}

fs::path program_path(const Case& c) {
    switch (c.flavour) {
    case Flavour::glibc: return kProgramsDir / c.program;
    case Flavour::musl: return kProgramsDir / (c.program + "-musl");
    case Flavour::busybox: return kBusybox;
    }
    return {};
}

Side run_natively(const Case& c) {
    ScratchRoot dir = working_dir(c, "sysentry-diff-native");
    std::vector<std::string> argv = fixed_environment();
    argv.push_back(program_path(c).string());
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    Side side{run_process(argv, {.stdin_text = c.stdin_text, .cwd = dir.path(), .timeout = kHostTimeout}), ""};
    side.files = tree_listing(dir.path());
    return side;
}

Side run_under_sysentry(const Case& c) {
    ScratchRoot root = working_dir(c, "sysentry-diff-guest");
    // The CLI takes a host path; for busybox, the copy inside the root, which the guest sees as /bin/busybox.
    fs::path exe = c.flavour == Flavour::busybox ? root.path() / "bin/busybox" : program_path(c);
    std::vector<std::string> args = fixed_environment();
    args.insert(args.end(), {SYSENTRY_CLI, "run", "--root", root.path().string(), "--rw", "--timeout",
                             std::string(kGuestTimeoutSeconds), exe.string()});
    args.insert(args.end(), c.args.begin(), c.args.end());
    Side side{run_process(args, {.stdin_text = c.stdin_text, .timeout = kHostTimeout}), ""};
    // Killed by a signal, the CLI adds what a shell would print; the native run has no such line.
    if (side.run.status() > 128 && side.run.status() < 128 + 65) {
        static const std::string kPrefix = "+++ killed by ";
        if (auto at = side.run.err.rfind(kPrefix); at != std::string::npos && side.run.err.ends_with(" +++\n") &&
                                                   (at == 0 || side.run.err[at - 1] == '\n'))
            side.run.err.erase(at);
    }
    side.files = tree_listing(root.path());
    return side;
}

// A short, escaped excerpt of `s` around byte `at`, for messages about megabyte outputs.
std::string excerpt(std::string_view s, size_t at) {
    constexpr size_t kBefore = 80, kAfter = 240;
    size_t from = at > kBefore ? at - kBefore : 0, to = std::min(s.size(), at + kAfter);
    std::string out = from ? "…" : "";
    for (unsigned char ch : s.substr(from, to - from)) {
        if (ch == '\n') out += "\\n";
        else if (ch == '\\') out += "\\\\";
        else if (ch < 0x20 || ch >= 0x7f) out += fmt::format("\\x{:02x}", ch);
        else out += char(ch);
    }
    return out + (to < s.size() ? "…" : "");
}

// "" when equal; else where the two first part, and both excerpts.
std::string stream_difference(std::string_view what, std::string_view native, std::string_view guest) {
    if (native == guest) return "";
    size_t at = 0;
    while (at < native.size() && at < guest.size() && native[at] == guest[at]) ++at;
    return fmt::format("{} differs at byte {} (native {} bytes, sysentry {} bytes)\n  native:   '{}'\n  sysentry: '{}'\n",
                       what, at, native.size(), guest.size(), excerpt(native, at), excerpt(guest, at));
}

// Every way the two runs differ, "" when they match.
std::string difference(const Side& native, const Side& guest) {
    std::string d;
    if (guest.run.status() != native.run.status())
        d += fmt::format("exit status: native {}, sysentry {}\n", native.run.status(), guest.run.status());
    d += stream_difference("stdout", native.run.out, guest.run.out);
    d += stream_difference("stderr", native.run.err, guest.run.err);
    if (guest.files != native.files)
        d += fmt::format("files left behind differ\n  native:\n{}  sysentry:\n{}", native.files, guest.files);
    return d;
}

// ------------------------------------------------------------ the test ----

class differential : public ::testing::TestWithParam<Case> {};

TEST_P(differential, matches_native) {
    const Case& c = GetParam();
    fs::path exe = program_path(c);
    if (!fs::exists(exe)) {
        if (c.flavour == Flavour::musl && !SYSENTRY_DIFFERENTIAL_MUSL) GTEST_SKIP() << "musl-gcc is not installed";
        if (c.flavour == Flavour::busybox) GTEST_SKIP() << kBusybox << " is not installed (busybox-static)";
        FAIL() << exe << " was not built (target differential_programs)";
    }
    Side native = run_natively(c);
    ASSERT_TRUE(native.run.error.empty() && !native.run.timed_out) << "native run: " << describe(native.run);
    Side guest = run_under_sysentry(c);
    std::string diff = difference(native, guest);

    auto pending = pending_cases();
    if (auto it = pending.find(c.name); it != pending.end()) {
        if (diff.empty()) FAIL() << c.name << " now matches native: remove " << c.name << " from " << kPendingList;
        GTEST_SKIP() << "pending: " << it->second << "; " << diff;
    }
    if (!diff.empty()) ADD_FAILURE() << c.name << ": sysentry differs from native\n" << diff;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(programs, differential, ::testing::ValuesIn(all_cases()), case_name);

// A name in pending.txt that is no case would hide nothing and never shrink.
TEST(differential_pending, names_only_real_cases) {
    ASSERT_TRUE(fs::exists(kPendingList)) << kPendingList;
    std::set<std::string> names;
    for (auto& c : all_cases()) names.insert(c.name);
    for (auto& [name, reason] : pending_cases()) EXPECT_TRUE(names.contains(name)) << name << " (" << reason << ")";
}

}  // namespace
}  // namespace sysentry::test
