// `sysentry gdbserver` driven by a real gdb in batch mode: registers (segment
// registers and fs_base/gs_base too), memory in both halves, stepi across
// SYSCALL into entry_SYSCALL_64, a breakpoint there, and continue to the exit.
#include <gtest/gtest.h>

#include <regex>

#include "support/guest.hpp"
#include "sysentry/exit_status.hpp"

namespace sysentry::test {
namespace {

// The server runs in the background while gdb talks to it.
struct Server {
    pid_t pid = -1;
    int err_fd = -1;
    int out_fd = -1;
    uint16_t port = 0;
    std::string err_text;

    static Server start(const std::vector<std::string>& args) {
        Server s;
        int err[2], out[2];
        if (pipe2(err, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) return s;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        std::vector<std::string> full{SYSENTRY_CLI, "gdbserver", "--accept-timeout", "20"};
        full.insert(full.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : full) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn(&s.pid, SYSENTRY_CLI, &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        close(err[1]);
        close(out[1]);
        s.err_fd = err[0];
        s.out_fd = out[0];
        s.read_port();
        return s;
    }

    // The server announces "listening on 127.0.0.1:PORT" on stderr.
    void read_port() {
        std::regex announce(R"(127\.0\.0\.1:(\d+))");
        std::smatch m;
        while (!std::regex_search(err_text, m, announce)) {
            pollfd p{err_fd, POLLIN, 0};
            if (poll(&p, 1, 20'000) <= 0) return;
            char buf[256];
            ssize_t n = read(err_fd, buf, sizeof buf);
            if (n <= 0) return;
            err_text.append(buf, size_t(n));
        }
        port = uint16_t(std::stoi(m[1]));
    }

    // Its exit status and what the guest printed.
    std::pair<int, std::string> finish() {
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = read(out_fd, buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
        int status = 0;
        waitpid(pid, &status, 0);
        close(out_fd);
        close(err_fd);
        return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
    }
};

uint64_t kernel_symbol(const char* name) {
    auto session = Session::create({});
    return session ? (*session)->machine().kernel_symbol(name) : 0;
}

ProcessRun run_gdb(const fs::path& program, uint16_t port, const std::vector<std::string>& commands) {
    std::vector<std::string> args{"gdb", "-batch", "-nx", "-ex", "set pagination off", "-ex", "set confirm off",
                                  "-ex", "file " + program.string(), "-ex", fmt::format("target remote :{}", port)};
    for (const auto& c : commands) {
        args.push_back("-ex");
        args.push_back(c);
    }
    return run_process(args);
}

class Gdbserver : public ::testing::Test {
protected:
    void SetUp() override {
        if (!on_path("gdb")) GTEST_SKIP() << "gdb is not installed (.ci/install-deps installs it)";
    }
};

TEST_F(Gdbserver, SteppingAcrossSyscallLandsOnEntrySyscall64InRing0) {
    const uint64_t entry = kernel_symbol("entry_SYSCALL_64");
    ASSERT_NE(entry, 0u);
    Server server = Server::start({example("hello").string()});
    ASSERT_NE(server.port, 0) << server.err_text;
    ProcessRun gdb = run_gdb(example("hello"), server.port,
                             {"p/x $cs", "p/x $ss", "p/x $fs_base", "stepi 4", "x/i $pc", "stepi",
                              "p/x $pc", "p/x $cs", "p/x $ss", "p/x $rcx", "x/2xb $pc", "detach"});
    auto [status, out] = server.finish();
    ASSERT_EQ(gdb.status(), 0) << describe(gdb);
    const std::string& o = gdb.out;
    // Ring 3 at the start: the user selectors of Linux's GDT.
    EXPECT_NE(o.find("$1 = 0x33"), std::string::npos) << o;
    EXPECT_NE(o.find("$2 = 0x2b"), std::string::npos) << o;
    EXPECT_NE(o.find("$3 = 0x0"), std::string::npos) << o;
    EXPECT_NE(o.find("syscall"), std::string::npos) << o;
    // One stepi later: RIP = LSTAR, kernel selectors from STAR, RCX = the return address.
    EXPECT_NE(o.find(fmt::format("$4 = {:#x}", entry)), std::string::npos) << o;
    EXPECT_NE(o.find("$5 = 0x10"), std::string::npos) << o;
    EXPECT_NE(o.find("$6 = 0x18"), std::string::npos) << o;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(o, m, std::regex(R"(\$7 = 0x([0-9a-f]+))"))) << o;
    EXPECT_LT(std::stoull(m[1], nullptr, 16), 0x800000000000ull) << "RCX holds a user address";
    // Kernel memory is readable: entry_SYSCALL_64 begins with swapgs (0f 01 f8).
    EXPECT_NE(o.find(":\t0x0f\t0x01"), std::string::npos) << o;
}

TEST_F(Gdbserver, BreakpointAtEntrySyscall64ThenContinueToTheExit) {
    const uint64_t entry = kernel_symbol("entry_SYSCALL_64");
    Server server = Server::start({example("hello").string()});
    ASSERT_NE(server.port, 0) << server.err_text;
    ProcessRun gdb = run_gdb(example("hello"), server.port,
                             {fmt::format("break *{:#x}", entry), "continue", "p/x $rax", "continue",
                              "p/x $rax", "delete", "continue"});
    auto [status, out] = server.finish();
    ASSERT_EQ(gdb.status(), 0) << describe(gdb);
    // The two calls hello makes, seen at the kernel's entry: write (1), then exit (60).
    EXPECT_NE(gdb.out.find("$1 = 0x1"), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("$2 = 0x3c"), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("exited normally"), std::string::npos) << gdb.out;
    EXPECT_EQ(status, 0);
    EXPECT_EQ(out, "hello\n");
}

TEST_F(Gdbserver, WritesToRegistersAndMemoryReachTheGuest) {
    Server server = Server::start({example("hello").string()});
    ASSERT_NE(server.port, 0) << server.err_text;
    // Change the message's first byte and the exit status the program will pass.
    ProcessRun gdb = run_gdb(example("hello"), server.port,
                             {"set {char}&msg = 'j'", "x/s &msg", "set $fs_base = 0x1234000", "p/x $fs_base",
                              "tbreak *(_start+31)", "continue", "x/i $pc", "set $rdi = 7", "continue"});
    auto [status, out] = server.finish();
    ASSERT_EQ(gdb.status(), 0) << describe(gdb);
    EXPECT_NE(gdb.out.find("\"jello\\n\""), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("= 0x1234000"), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("<_start+31>:\tsyscall"), std::string::npos) << "the exit call" << gdb.out;
    EXPECT_NE(gdb.out.find("exited with code 07"), std::string::npos) << gdb.out;
    EXPECT_EQ(out, "jello\n");
    EXPECT_EQ(status, 7);
}

TEST_F(Gdbserver, CatchSyscallStopsAtEntryAndReturn) {
    Server server = Server::start({example("hello").string()});
    ASSERT_NE(server.port, 0) << server.err_text;
    ProcessRun gdb = run_gdb(example("hello"), server.port, {"catch syscall write", "continue", "continue", "p $rax",
                                                              "delete", "continue"});
    server.finish();
    ASSERT_EQ(gdb.status(), 0) << describe(gdb);
    EXPECT_NE(gdb.out.find("call to syscall write"), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("returned from syscall write"), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("$1 = 6"), std::string::npos) << gdb.out;  // "hello\n"
}

// A glibc program demand-pages its data while gdb drives it (the stop-before-
// every-instruction path that once turned that #PF into a silent retry loop).
TEST_F(Gdbserver, ContinuesAGlibcProgramToItsExit) {
    Server server = Server::start({example("seed-write").string()});
    ASSERT_NE(server.port, 0) << server.err_text;
    ProcessRun gdb = run_gdb(example("seed-write"), server.port, {"break main", "continue", "continue"});
    auto [status, out] = server.finish();
    ASSERT_EQ(gdb.status(), 0) << describe(gdb);
    EXPECT_NE(gdb.out.find("Breakpoint 1, "), std::string::npos) << gdb.out;
    EXPECT_NE(gdb.out.find("exited normally"), std::string::npos) << gdb.out;
    EXPECT_EQ(status, 0);
    EXPECT_EQ(out, run_cli({"run", example("seed-write").string()}).out);
}

TEST_F(Gdbserver, NoGdbMeansAClearErrorNotAHang) {
    ProcessRun r = run_cli({"gdbserver", "--accept-timeout", "1", example("hello").string()});
    EXPECT_EQ(r.status(), kExitUsageStatus) << describe(r);
    EXPECT_NE(r.err.find("no gdb connected within 1 s"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sysentry::test
