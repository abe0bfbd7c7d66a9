// The vDSO: glibc finds it through AT_SYSINFO_EHDR and reads the clocks from
// the [vvar] page in ring 3, so clock_gettime, gettimeofday and time make no
// SYSCALL at all -- and, as with real strace, the trace shows none of them.
#include <gtest/gtest.h>

#include <ctime>

#include "support/guest.hpp"
#include "sysentry/vdso.hpp"

namespace sysentry::test {
namespace {

// Reads every clock 1000 times; counts any monotonic step backwards, and checks
// the vDSO's monotonic clock against the system call's, both ways.
constexpr std::string_view kClockLoop = R"(#include <stdio.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
int main(void) {
    struct timespec prev, mono, real, via_syscall;
    struct timeval tv;
    long backwards = 0, inconsistent = 0;
    clock_gettime(CLOCK_MONOTONIC, &prev);
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &mono);
        if (ns(mono) < ns(prev)) backwards++;
        prev = mono;
        clock_gettime(CLOCK_REALTIME, &real);
        gettimeofday(&tv, NULL);
        time(NULL);
    }
    for (int i = 0; i < 50; i++) {
        clock_gettime(CLOCK_MONOTONIC, &prev);
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &via_syscall);
        clock_gettime(CLOCK_MONOTONIC, &mono);
        if (ns(prev) > ns(via_syscall) || ns(via_syscall) > ns(mono)) inconsistent++;
    }
    printf("%lld %lld %lld %ld %ld\n", (long long)real.tv_sec, (long long)tv.tv_sec, (long long)time(NULL),
           backwards, inconsistent);
    return 0;
}
)";

constexpr std::string_view kMaps = R"(#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
int main(void) {
    const char* ehdr = (const char*)getauxval(AT_SYSINFO_EHDR);
    printf("AT_SYSINFO_EHDR %p %s\n", (void*)ehdr, ehdr && memcmp(ehdr, "\177ELF", 4) == 0 ? "ELF" : "none");
    char line[256];
    FILE* f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "[vdso]") || strstr(line, "[vvar]")) fputs(line, stdout);
    return 0;
}
)";

// A CPU-time clock is not one a vDSO serves: it falls back to the system call.
constexpr std::string_view kCpuClock = R"(#include <stdio.h>
#include <time.h>
int main(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    clock_gettime(CLOCK_REALTIME, &t);
    printf("%lld\n", (long long)t.tv_sec);
    return 0;
}
)";

fs::path build(const ScratchRoot& dir, std::string_view source) {
    auto exe = build_c(source, "gcc", dir.path());
    if (!exe) throw std::runtime_error(exe.error());
    return *exe;
}

bool is_clock_call(const SyscallRecord& s) {
    return s.name == "clock_gettime" || s.name == "gettimeofday" || s.name == "time";
}

size_t count_syscalls(const Recording& r) { return r.of_kind(TransitionKind::syscall).size(); }

TEST(vdso, glibc_reads_the_clocks_without_a_syscall) {
    ScratchRoot dir = temp_dir("sysentry-vdso");
    GuestRun run = run_elf(build(dir, kClockLoop), {.deterministic = false});
    ASSERT_TRUE(run.exited(0)) << describe(run);
    long long real = 0, tv = 0, t = 0;
    long backwards = -1, inconsistent = -1;
    ASSERT_EQ(std::sscanf(run.out.c_str(), "%lld %lld %lld %ld %ld", &real, &tv, &t, &backwards, &inconsistent), 5)
        << run.out;
    const long long host = std::time(nullptr);
    EXPECT_LE(std::abs(real - host), 5) << "CLOCK_REALTIME from the vDSO vs the host";
    EXPECT_LE(std::abs(tv - host), 5) << "gettimeofday from the vDSO vs the host";
    EXPECT_LE(std::abs(t - host), 5) << "time from the vDSO vs the host";
    EXPECT_EQ(backwards, 0) << "CLOCK_MONOTONIC went backwards";
    EXPECT_EQ(inconsistent, 0) << "the vDSO's monotonic clock and the system call's disagree in order";

    size_t clock_calls = 0, via_syscall = 0;
    for (const SyscallRecord& s : run.events.syscalls) {
        if (!is_clock_call(s)) continue;
        ++clock_calls;
        if (s.name == "clock_gettime" && s.args[0] == CLOCK_MONOTONIC) ++via_syscall;
    }
    EXPECT_EQ(clock_calls, 50u) << "only the explicit syscall(SYS_clock_gettime) calls may enter ring 0";
    EXPECT_EQ(via_syscall, 50u);
    EXPECT_LT(count_syscalls(run.events), 120u) << "4000+ clock reads must not each cross into ring 0";
}

TEST(vdso, proc_maps_shows_vdso_and_vvar_and_auxv_points_at_the_image) {
    ScratchRoot dir = temp_dir("sysentry-vdso");
    GuestRun run = run_elf(build(dir, kMaps));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    EXPECT_NE(run.out.find(fmt::format("AT_SYSINFO_EHDR {:#x} ELF", kVdsoAddr)), std::string::npos) << run.out;
    EXPECT_NE(run.out.find(fmt::format("{:x}-{:x} r--p", kVvarAddr, kVdsoAddr)), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[vvar]"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find(fmt::format("{:x}-{:x} r-xp", kVdsoAddr, kMmapBase)), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("[vdso]"), std::string::npos) << run.out;
}

TEST(vdso, trace_shows_no_clock_lines_as_real_strace) {
    ScratchRoot dir = temp_dir("sysentry-vdso");
    fs::path exe = build(dir, kCpuClock);
    ProcessRun run = run_cli({"run", "--trace", exe.string()});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("clock_gettime(CLOCK_PROCESS_CPUTIME_ID"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("clock_gettime(CLOCK_REALTIME"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("exit_group(0)"), std::string::npos) << run.err;
    if (on_path("strace")) {  // the reference agrees: one clock line, the CPU clock's
        ProcessRun native = run_process({"strace", "-e", "trace=%clock", exe.string()});
        EXPECT_NE(native.err.find("clock_gettime(CLOCK_PROCESS_CPUTIME_ID"), std::string::npos) << native.err;
        EXPECT_EQ(native.err.find("clock_gettime(CLOCK_REALTIME"), std::string::npos) << native.err;
    }
}

TEST(vdso, deterministic_runs_read_the_virtual_clock) {
    ScratchRoot dir = temp_dir("sysentry-vdso");
    fs::path exe = build(dir, kClockLoop);
    GuestRun first = run_elf(exe), second = run_elf(exe);
    ASSERT_TRUE(first.exited(0)) << describe(first);
    ASSERT_TRUE(second.exited(0)) << describe(second);
    EXPECT_EQ(first.out, second.out) << "a deterministic run reads the same clock values";
    long long real = 0;
    ASSERT_EQ(std::sscanf(first.out.c_str(), "%lld", &real), 1);
    constexpr long long kEpoch = 1735689600;  // the deterministic wall clock's start, 2025-01-01
    EXPECT_GE(real, kEpoch);
    EXPECT_LT(real, kEpoch + 60);
    EXPECT_NE(first.out.find(" 0 0\n"), std::string::npos) << "monotonic and consistent: " << first.out;
}

}  // namespace
}  // namespace sysentry::test
