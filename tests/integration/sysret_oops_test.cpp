// A guest kernel without entry_SYSCALL_64's canonical-RCX guard: SYSRET then
// faults in ring 0, and sysentry must report a kernel oops, not crash or
// return to ring 3. The kernel is rebuilt at test time from guest/kernel/
// with the guard removed and RCX forced non-canonical.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sysentry/exit_status.hpp"
#include "sysentry/kernel_build.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// entry_64.S with RCX (and the saved RIP) made non-canonical and the guard gone.
std::string break_entry_stub(std::string s) {
    const std::string load = "\tmovq\tPTREGS_RCX(%rsp), %rcx";
    size_t at = s.find(load);
    if (at == std::string::npos) return "";
    s.insert(at, "\tmovabsq\t$0x8000000000001000, %rcx\n\tmovq\t%rcx, PTREGS_RCX(%rsp)\n"
                 "\tmovq\t%rcx, PTREGS_RIP(%rsp)\n");
    size_t guard = s.find("\tshlq\t$16, %rcx");
    size_t after = s.find("\tcmpq\t$__USER_CS, PTREGS_CS(%rsp)");
    if (guard == std::string::npos || after == std::string::npos) return "";
    return s.erase(guard, after - guard);
}

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

}  // namespace

// The guest kernel with one source file replaced by `text`, built by the
// grader's kernel builder. Returns the ELF's path, or "" when a step failed.
std::string build_kernel(const fs::path& dir, const std::string& replaced, const std::string& text) {
    fs::create_directories(dir);
    const fs::path source = dir / (replaced + ".S");
    std::ofstream(source) << text;
    auto kernel = sysentry::grading::build_guest_kernel(source, replaced + ".S", {}, dir);
    return kernel ? kernel->string() : "";
}

fs::path scratch(const std::string& name) {
    return fs::temp_directory_path() / ("sysentry-" + name + "-" + std::to_string(getpid()));
}

TEST(sysret_oops, non_canonical_rcx_without_the_guard_is_a_kernel_oops) {
    const fs::path dir = scratch("oops");
    std::string broken = break_entry_stub(slurp(fs::path(SYSENTRY_SOURCE_DIR) / "guest/kernel/entry_64.S"));
    ASSERT_FALSE(broken.empty()) << "entry_64.S no longer has the lines this test edits";
    const std::string kernel = build_kernel(dir, "entry_64", broken);
    ASSERT_FALSE(kernel.empty());

    const std::string out = (dir / "stderr.txt").string();
    int status = sh(std::string(SYSENTRY_CLI) + " run --kernel " + kernel + " " SYSENTRY_EXAMPLES_DIR "/hello > /dev/null 2> " + out);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), sysentry::kExitOopsStatus);
    std::string report = slurp(out);
    EXPECT_NE(report.find("kernel oops: general protection (#GP) in ring 0"), std::string::npos) << report;
    EXPECT_NE(report.find("SYSRET with non-canonical RCX"), std::string::npos) << report;
    EXPECT_NE(report.find("<syscall_return_via_sysret+"), std::string::npos) << report;
    EXPECT_NE(report.find("Code: sysretq"), std::string::npos) << report;
    EXPECT_NE(report.find("RCX: 8000000000001000"), std::string::npos) << report;

    // The shipped kernel, on the same program, returns normally.
    status = sh(std::string(SYSENTRY_CLI) + " run " SYSENTRY_EXAMPLES_DIR "/hello > /dev/null 2>&1");
    EXPECT_EQ(WEXITSTATUS(status), 0);
    fs::remove_all(dir);
}

// A syscall_init that never sets EFER.SCE: the first SYSCALL is #UD, so SIGILL.
TEST(syscall_instruction, is_invalid_opcode_when_efer_sce_is_clear) {
    const fs::path dir = scratch("nosce");
    std::string init = slurp(fs::path(SYSENTRY_SOURCE_DIR) / "guest/kernel/syscall_init.S");
    const std::string set_sce = "\torl\t$EFER_SCE, %eax";
    size_t at = init.find(set_sce);
    ASSERT_NE(at, std::string::npos) << "syscall_init.S no longer sets EFER.SCE as this test expects";
    init.erase(at, init.find('\n', at) - at);
    const std::string kernel = build_kernel(dir, "syscall_init", init);
    ASSERT_FALSE(kernel.empty());
    const std::string out = (dir / "stderr.txt").string();
    int status = sh(std::string(SYSENTRY_CLI) + " run --kernel " + kernel + " " SYSENTRY_EXAMPLES_DIR "/hello > /dev/null 2> " + out);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGILL) << slurp(out);
    EXPECT_NE(slurp(out).find("+++ killed by SIGILL +++"), std::string::npos) << slurp(out);
    fs::remove_all(dir);
}
