// Guests that attack their host: each ends with a verdict and a documented
// exit status (README, "Exit status"), and sysentry itself neither crashes,
// hangs, nor grows without bound. Fork and memory bombs against the limits are
// also in limits_test.cpp; faults of single instructions in ring3_faults_test.cpp.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "sysentry/exit_status.hpp"
#include "sysentry/machine.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// The CLI run in a child of our own, so wait4 reports that child's peak RSS
// alone; SIGPIPE is back to its default there, as in a shell.
struct MeasuredRun {
    int status = -1;           // as a shell shows it (128+N for a signal)
    bool sysentry_signalled = false;
    long max_rss_mib = 0;
    std::string err;
    std::string out_head;      // the first bytes of stdout, when piped
    double seconds = 0;
};

enum class Stdout { dev_null, pipe_closed_early };

MeasuredRun run_measured(std::vector<std::string> args, Stdout where = Stdout::dev_null,
                         std::chrono::seconds limit = std::chrono::seconds(60)) {
    args.insert(args.begin(), SYSENTRY_CLI);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ScratchRoot dir = temp_dir("sysentry-measured");
    std::string err_path = (dir.path() / "stderr").string();
    int err_fd = open(err_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int out[2];
    if (err_fd < 0 || null_fd < 0 || pipe2(out, O_CLOEXEC)) throw std::runtime_error("run_measured: setup");
    int out_fd = where == Stdout::dev_null ? null_fd : out[1];
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {  // only async-signal-safe calls until exec
        signal(SIGPIPE, SIG_DFL);
        dup2(null_fd, 0), dup2(out_fd, 1), dup2(err_fd, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    MeasuredRun r;
    if (where == Stdout::pipe_closed_early) {
        char buf[64];
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n > 0) r.out_head.assign(buf, size_t(n));
    }
    close(out[0]);  // from now on the guest writes into a pipe nobody reads
    int st = 0;
    rusage ru{};
    while (wait4(pid, &st, WNOHANG, &ru) == 0) {
        if (std::chrono::steady_clock::now() - start > limit) {
            kill(pid, SIGKILL);
            wait4(pid, &st, 0, &ru);
            ADD_FAILURE() << "sysentry did not stop within " << limit.count() << " s";
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.sysentry_signalled = WIFSIGNALED(st);
    r.status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    r.max_rss_mib = ru.ru_maxrss / 1024;
    r.err = read_file(err_path);
    close(err_fd), close(null_fd);
    return r;
}

std::string describe(const MeasuredRun& r) {
    return fmt::format("status={}{} rss={} MiB {:.1f} s stderr='{}'", r.status,
                       r.sysentry_signalled ? " (sysentry killed by a signal)" : "", r.max_rss_mib, r.seconds,
                       r.err.substr(0, 2000));
}

// A program built once per test in a private directory.
struct Built {
    ScratchRoot dir = temp_dir("sysentry-hostile");
    fs::path exe;
};

Built build(std::string_view c_source) {
    Built b;
    auto exe = build_c(c_source, "gcc", b.dir.path());
    if (!exe) throw std::runtime_error(exe.error());
    b.exe = *exe;
    return b;
}

Built assemble(std::string_view body) {
    Built b;
    b.exe = write_file(b.dir.path() / "prog.s", asm_program(body));
    return b;
}

void expect_last_stderr_line(const std::string& err, std::string_view line) {
    std::string e = err;
    while (!e.empty() && e.back() == '\n') e.pop_back();
    EXPECT_EQ(e.substr(e.rfind('\n') == std::string::npos ? 0 : e.rfind('\n') + 1), line) << err;
}

// ---- memory ---------------------------------------------------------------

constexpr std::string_view kMemoryBomb = R"(#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
int main(void) {
    void *all = mmap(0, 64ull << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    printf("64 GiB: %s\n", all == MAP_FAILED ? strerror(errno) : "mapped");
    if (all != MAP_FAILED)
        for (size_t i = 0; i < (64ull << 30); i += 4096) ((volatile char *)all)[i] = 1;
    size_t mib = 0;
    for (;; mib += 16) {  /* then take and touch all it can get, 16 MiB at a time */
        char *p = mmap(0, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) break;
        for (size_t i = 0; i < (16 << 20); i += 4096) p[i] = 1;
    }
    printf("then touched %zu MiB: %s\n", mib, strerror(errno));
    return 0;
}
)";

TEST(hostile_guest, memory_bomb_keeps_host_memory_bounded_by_mem_limit) {
    Built b = build(kMemoryBomb);
    constexpr long kLimitMib = 256;
    ProcessRun run = run_cli({"run", "--mem-limit", std::to_string(kLimitMib), b.exe.string()});
    EXPECT_EQ(run.status(), 0) << describe(run);
    EXPECT_TRUE(run.out.starts_with("64 GiB: Cannot allocate memory\nthen touched ")) << run.out;
    EXPECT_TRUE(run.out.ends_with(" MiB: Cannot allocate memory\n")) << run.out;
    MeasuredRun m = run_measured({"run", "--mem-limit", std::to_string(kLimitMib), b.exe.string()});
    EXPECT_EQ(m.status, 0) << describe(m);
    // The guest touched nearly all of its 256 MiB; sysentry's own share (the
    // engine, its translation buffer, the sanitizers' shadow when built with
    // them) is well under another 256.
    EXPECT_LT(m.max_rss_mib, 2 * kLimitMib) << describe(m);
}

// ---- processes and time ---------------------------------------------------

TEST(hostile_guest, fork_bomb_ends_at_the_timeout_with_status_124) {
    Built b = build("#include <unistd.h>\nint main(void) { for (;;) fork(); }\n");
    MeasuredRun m = run_measured({"run", "--max-procs", "16", "--timeout", "2", b.exe.string()});
    EXPECT_EQ(m.status, kExitLimitStatus) << describe(m);
    EXPECT_FALSE(m.sysentry_signalled);
    expect_last_stderr_line(m.err, "sysentry: time limit reached after 2 s: the guest was stopped");
    EXPECT_LT(m.seconds, 20) << describe(m);
}

TEST(hostile_guest, infinite_loop_ends_at_the_timeout_with_status_124) {
    Built b = assemble("1:\tjmp\t1b");
    MeasuredRun m = run_measured({"run", "--timeout", "1", b.exe.string()});
    EXPECT_EQ(m.status, kExitLimitStatus) << describe(m);
    expect_last_stderr_line(m.err, "sysentry: time limit reached after 1 s: the guest was stopped");
    EXPECT_LT(m.seconds, 15) << describe(m);
}

TEST(hostile_guest, syscall_loop_ends_at_the_timeout_with_status_124) {
    Built b = assemble("1:\tmovl\t$39, %eax\n\tsyscall\n\tjmp\t1b");  // getpid forever
    MeasuredRun m = run_measured({"run", "--timeout", "1", b.exe.string()});
    EXPECT_EQ(m.status, kExitLimitStatus) << describe(m);
    expect_last_stderr_line(m.err, "sysentry: time limit reached after 1 s: the guest was stopped");
}

// A guest kernel (--kernel) whose entry_SYSCALL_64 begins with SYSCALL: ring 0
// loops through the model's hooks forever. Unicorn drops a timeout stop that
// lands in a block ending with a hook's RIP write (docs/carrier.md, item 11),
// so the stop is repeated until it takes. Found by the ring0_code fuzzer.
TEST(hostile_guest, a_kernel_looping_through_syscall_ends_at_the_timeout) {
    auto kernel = builtin_kernel_elf();
    std::vector<uint8_t> patched(kernel.begin(), kernel.end());
    auto image = parse_elf(kernel, ElfTarget::kernel);
    ASSERT_TRUE(image.has_value());
    const ElfSymbol* entry = find_symbol(*image, "entry_SYSCALL_64");
    ASSERT_NE(entry, nullptr);
    for (const ElfSegment& seg : image->loads)
        if (entry->value >= seg.vaddr && entry->value + 2 <= seg.vaddr + seg.filesz) {
            patched[seg.file_offset + (entry->value - seg.vaddr)] = 0x0f;  // syscall
            patched[seg.file_offset + (entry->value - seg.vaddr) + 1] = 0x05;
        }
    Built b = assemble("\tsyscall\n1:\tjmp\t1b");
    fs::path kernel_path = write_file(b.dir.path() / "kernel.elf",
                                      std::string_view(reinterpret_cast<const char*>(patched.data()), patched.size()));
    for (int i = 0; i < 5; ++i) {  // the lost stop was a race: try it a few times
        MeasuredRun m = run_measured({"run", "--timeout", "0.2", "--kernel", kernel_path.string(), b.exe.string()},
                                     Stdout::dev_null, std::chrono::seconds(20));
        EXPECT_EQ(m.status, kExitLimitStatus) << describe(m);
        EXPECT_LT(m.seconds, 10) << describe(m);
    }
}

// ---- output floods ---------------------------------------------------------

constexpr std::string_view kFlood = R"(#include <string.h>
#include <unistd.h>
int main(void) {
    char line[4096];
    memset(line, 'y', sizeof line);
    for (;;) write(1, line, sizeof line);
}
)";

TEST(hostile_guest, output_flood_to_dev_null_ends_at_the_timeout_in_bounded_memory) {
    Built b = build(kFlood);
    MeasuredRun m = run_measured({"run", "--timeout", "2", b.exe.string()});
    EXPECT_EQ(m.status, kExitLimitStatus) << describe(m);
    EXPECT_LT(m.max_rss_mib, 512) << describe(m);
}

TEST(hostile_guest, output_flood_into_a_closed_pipe_kills_the_guest_with_sigpipe) {
    Built b = build(kFlood);  // as `sysentry run flood | head -c 64`
    MeasuredRun m = run_measured({"run", "--timeout", "20", b.exe.string()}, Stdout::pipe_closed_early);
    EXPECT_FALSE(m.out_head.empty());
    EXPECT_EQ(m.status, kSignalExitBase + SIGPIPE) << describe(m);
    EXPECT_FALSE(m.sysentry_signalled) << "the guest dies of SIGPIPE, not sysentry: " << describe(m);
    expect_last_stderr_line(m.err, "+++ killed by SIGPIPE +++");
}

TEST(hostile_guest, trace_flood_to_dev_null_ends_at_the_timeout) {
    Built b = assemble("1:\tmovl\t$39, %eax\n\tsyscall\n\tjmp\t1b");
    MeasuredRun m = run_measured({"run", "--timeout", "1", "-o", "/dev/null", b.exe.string()});
    EXPECT_EQ(m.status, kExitLimitStatus) << describe(m);
    EXPECT_LT(m.max_rss_mib, 512) << describe(m);
}

// ---- arguments ---------------------------------------------------------------

constexpr std::string_view kCountArgs = R"(#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    size_t total = 0;
    for (int i = 0; i < argc; i++) total += strlen(argv[i]) + 1;
    printf("argc=%d bytes=%zu last=%s\n", argc, total, argv[argc - 1]);
    return 0;
}
)";

TEST(hostile_guest, a_huge_argv_reaches_the_guest_whole) {
    Built b = build(kCountArgs);
    std::vector<std::string> args{"run", b.exe.string()};
    size_t bytes = b.exe.string().size() + 1;
    for (int i = 0; i < 50000; ++i) {  // about 1 MiB of arguments
        args.push_back(fmt::format("argument-{:010}", i));
        bytes += args.back().size() + 1;
    }
    ProcessRun run = run_cli(args);
    EXPECT_EQ(run.status(), 0) << describe(run);
    EXPECT_EQ(run.out, fmt::format("argc=50001 bytes={} last=argument-0000049999\n", bytes));
}

// execve from the guest with Linux's limits: one string over MAX_ARG_STRLEN
// (32 pages) and a total over a quarter of the 8 MiB stack are E2BIG; 1 MiB
// in ten strings passes. The same program natively is the reference.
constexpr std::string_view kExecHugeArgv = R"(#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char *filled(size_t n) { char *s = malloc(n + 1); memset(s, 'a', n); s[n] = 0; return s; }
static void try_exec(const char *what, int count, size_t each) {
    char **argv = calloc(count + 2, sizeof *argv);
    argv[0] = "child";
    for (int i = 1; i <= count; i++) argv[i] = filled(each);
    fflush(stdout);
    execv("/proc/self/exe", argv);
    printf("%s: %s\n", what, strerror(errno));
}
int main(int argc, char **argv) {
    if (argc > 1) {
        size_t total = 0;
        for (int i = 1; i < argc; i++) total += strlen(argv[i]);
        printf("child: argc=%d total=%zu\n", argc, total);
        return 0;
    }
    try_exec("one 200 KiB string", 1, 200 << 10);
    try_exec("forty 100 KiB strings", 40, 100 << 10);
    try_exec("ten 100 KiB strings", 10, 100 << 10);
    return 1;
}
)";

TEST(hostile_guest, a_huge_argv_to_execve_gets_linux_limits) {
    Built b = build(kExecHugeArgv);
    ProcessRun run = run_cli({"run", b.exe.string()});
    ProcessRun native = run_process({b.exe.string()});
    EXPECT_EQ(native.out, "one 200 KiB string: Argument list too long\n"
                          "forty 100 KiB strings: Argument list too long\n"
                          "child: argc=11 total=1024000\n") << "host Linux: " << describe(native);
    EXPECT_EQ(run.out, native.out) << describe(run);
    EXPECT_EQ(run.status(), 0) << describe(run);
}

// ---- code --------------------------------------------------------------------

// Rewrites code it has already run (a new immediate for a translated block),
// and an instruction later in the very block that is executing.
constexpr std::string_view kSelfModifying = R"(#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
int main(void) {
    static const unsigned char code[] = {
        0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x07,  /* movb $7, 1(%rip): the imm8 of the next mov */
        0xb8, 0x01, 0x00, 0x00, 0x00,              /* mov $1, %eax */
        0xc3,                                      /* ret */
        0xb8, 0x01, 0x00, 0x00, 0x00,              /* 13: mov $1, %eax */
        0xc3,                                      /* ret */
    };
    unsigned char *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 2;
    memcpy(p, code, sizeof code);
    int (*patched_ahead)(void) = (int (*)(void))p, (*plain)(void) = (int (*)(void))(p + 13);
    for (int i = 0; i < 3; i++) printf("%d ", plain());
    p[14] = 2;
    for (int i = 0; i < 3; i++) printf("%d ", plain());
    for (int i = 0; i < 3; i++) { p[8] = 1; printf("%d ", patched_ahead()); }
    printf("\n");
    return 0;
}
)";

TEST(hostile_guest, self_modifying_code_runs_the_new_code) {
    Built b = build(kSelfModifying);
    ProcessRun run = run_cli({"run", b.exe.string()});
    EXPECT_EQ(run.status(), 0) << describe(run);
    EXPECT_EQ(run.out, "1 1 1 2 2 2 7 7 7 \n");
    EXPECT_EQ(run_process({b.exe.string()}).out, run.out) << "host Linux agrees";
}

struct WildJump {
    const char* name;
    uint64_t target;
};

std::ostream& operator<<(std::ostream& os, const WildJump& j) { return os << j.name; }

uint64_t kernel_symbol(std::string_view name) {
    auto image = parse_elf(builtin_kernel_elf(), ElfTarget::kernel);
    const ElfSymbol* s = image ? find_symbol(*image, name) : nullptr;
    if (!s) throw std::runtime_error(fmt::format("the built-in kernel has no {}", name));
    return s->value;
}

class wild_jump : public ::testing::TestWithParam<WildJump> {};

// Each is SIGSEGV on Linux too: the kernel half is supervisor-only, and a
// non-canonical target is #GP at the jump.
TEST_P(wild_jump, from_ring3_is_sigsegv) {
    Built b = assemble(fmt::format("\tmovabsq\t${:#x}, %rax\n\tjmp\t*%rax", GetParam().target));
    ProcessRun run = run_cli({"run", b.exe.string()});
    EXPECT_EQ(run.status(), kSignalExitBase + SIGSEGV) << describe(run);
    EXPECT_EQ(run.signal, 0) << "sysentry itself must not die";
    expect_last_stderr_line(run.err, "+++ killed by SIGSEGV +++");
}

const WildJump kWildJumps[] = {
    {"entry_SYSCALL_64", kernel_symbol("entry_SYSCALL_64")},
    {"carrier_page", kCarrierPage},               // the one high page user code may execute
    {"carrier_landing", kernel_symbol("sysentry_carrier_landing")},
    {"per_cpu_area", kPerCpuArea},
    {"kernel_stacks", kVmallocStart},
    {"top_of_memory", 0xfffffffffffff000},
    {"non_canonical_low_edge", 0x0000800000000000},
    {"non_canonical_high_edge", 0xffff7ffffffff000},
    {"last_user_page", 0x00007ffffffff000},
};

INSTANTIATE_TEST_SUITE_P(cli, wild_jump, ::testing::ValuesIn(kWildJumps),
                         [](const auto& info) { return std::string(info.param.name); });

// rt_sigreturn to a non-canonical RIP: Linux returns with IRET (SYSRET would
// fault in ring 0, CVE-2012-0217) and the user gets SIGSEGV.
constexpr std::string_view kSigreturnNonCanonical = R"(#define _GNU_SOURCE
#include <signal.h>
#include <ucontext.h>
static void handler(int sig, siginfo_t *si, void *ctx) {
    (void)sig, (void)si;
    ((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP] = 0x0000800000000000;
}
int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    raise(SIGUSR1);
    return 0;
}
)";

TEST(hostile_guest, sigreturn_to_a_non_canonical_rip_is_sigsegv_not_an_oops) {
    Built b = build(kSigreturnNonCanonical);
    ProcessRun run = run_cli({"run", b.exe.string()});
    EXPECT_EQ(run.status(), kSignalExitBase + SIGSEGV) << describe(run);
    EXPECT_EQ(run_process({b.exe.string()}).signal, SIGSEGV) << "host Linux agrees";
}

constexpr std::string_view kBottomlessRecursion = R"(#include <stdio.h>
static int down(int n) {
    volatile char frame[1024];
    frame[0] = (char)n;
    return down(n + 1) + frame[0];
}
int main(void) { printf("%d\n", down(0)); return 0; }
)";

TEST(hostile_guest, a_stack_that_runs_into_unmapped_memory_is_sigsegv) {
    Built b = build(kBottomlessRecursion);
    MeasuredRun m = run_measured({"run", "--timeout", "30", b.exe.string()});
    EXPECT_EQ(m.status, kSignalExitBase + SIGSEGV) << describe(m);
    EXPECT_FALSE(m.sysentry_signalled);
    expect_last_stderr_line(m.err, "+++ killed by SIGSEGV +++");
    EXPECT_EQ(run_process({b.exe.string()}).signal, SIGSEGV) << "host Linux agrees";
}

}  // namespace
}  // namespace sysentry::test

namespace sysentry::test {
namespace {

// Two bytes that make Unicorn 2.0.1 abort the whole process while translating
// (docs/carrier.md item 18; found by the ring3_code fuzzer). Linux raises
// SIGILL; sysentry cannot, but it stops with one line and its failure status,
// never a core dump. The far jmp through memory next to it runs normally.
TEST(hostile_guest, a_far_jump_through_a_register_is_a_clear_engine_error_not_an_abort) {
    for (std::string_view bytes : {".byte 0xff, 0xef", ".byte 0xff, 0xdb"}) {
        Built b = assemble(std::string(bytes));
        MeasuredRun m = run_measured({"run", b.exe.string()});
        EXPECT_EQ(m.status, kExitUsageStatus) << describe(m);
        EXPECT_FALSE(m.sysentry_signalled) << describe(m);
        expect_last_stderr_line(m.err, "sysentry: the engine (Unicorn 2.0.1) aborted while translating the guest's "
                                       "code; it cannot translate a far jmp or call through a register (ff /3 or "
                                       "ff /5), which Linux answers with SIGILL: the run is stopped");
        fs::path native = b.dir.path() / "native";
        ASSERT_EQ(run_process({"gcc", "-nostdlib", "-static", "-o", native.string(), b.exe.string()}).exit_code, 0);
        EXPECT_EQ(run_process({native.string()}).signal, SIGILL) << "host Linux";
    }
}

}  // namespace
}  // namespace sysentry::test
