// Test support: run a guest program through a real Session (or the real CLI)
// and keep everything it did: the RunResult, its stdout/stderr, copies of the
// events, and the Session itself so a test can read machine state afterwards.
// Header-only because tests/CMakeLists.txt compiles only *_test.cpp files.
#pragma once
#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <csignal>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <expected>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysentry/events.hpp"
#include "sysentry/exceptions.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/program_source.hpp"
#include "sysentry/scratch_root.hpp"
#include "sysentry/session.hpp"

extern char** environ;

namespace sysentry::test {

namespace fs = std::filesystem;

#ifdef SYSENTRY_SANITIZED
inline constexpr int kSlowdown = 4;  // ASan + UBSan: our code 2-3x slower, and two such builds may share the CPUs
#else
inline constexpr int kSlowdown = 1;
#endif
inline constexpr uint64_t kGuestTimeoutUs = kSlowdown * 20'000'000;         // one guest run, wall clock
inline constexpr std::chrono::milliseconds kProcessTimeout{kSlowdown * 20'000};  // one host subprocess

// ---------------------------------------------------------------- files ----

// A private temporary directory, removed with everything in it.
inline ScratchRoot temp_dir(std::string_view prefix = "sysentry-test") {
    auto dir = ScratchRoot::create(prefix);
    if (!dir) throw std::runtime_error(fmt::format("cannot create a temp dir: {}", std::strerror(-dir.error())));
    return std::move(*dir);
}

inline fs::path write_file(const fs::path& path, std::string_view content, fs::perms mode = fs::perms(0644)) {
    std::ofstream(path, std::ios::binary).write(content.data(), std::streamsize(content.size()));
    fs::permissions(path, mode);
    return path;
}

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Everything written to a memfd so far.
inline std::string read_memfd(int fd) {
    std::string out;
    char buf[4096];
    for (off_t at = 0;;) {
        ssize_t n = pread(fd, buf, sizeof buf, at);
        if (n <= 0) return out;
        out.append(buf, size_t(n));
        at += n;
    }
}

// ------------------------------------------------------------ ELF facts ----

// What a loader must pass on, read from the ELF with <elf.h> alone (not the
// model's parser, so the tests compare against an independent reading).
struct ElfFacts {
    uint64_t entry = 0, phdr = 0;
    uint16_t phent = 0, phnum = 0;
    std::map<std::string, uint64_t, std::less<>> symbols;  // every named symbol, labels included

    uint64_t symbol(std::string_view name) const {
        auto it = symbols.find(name);
        if (it == symbols.end()) throw std::runtime_error(fmt::format("no symbol {}", name));
        return it->second;
    }
};

inline ElfFacts elf_facts(const std::vector<uint8_t>& bytes) {
    ElfFacts f;
    if (bytes.size() < sizeof(Elf64_Ehdr)) return f;
    auto* eh = reinterpret_cast<const Elf64_Ehdr*>(bytes.data());
    f.entry = eh->e_entry;
    f.phent = eh->e_phentsize;
    f.phnum = eh->e_phnum;
    for (unsigned i = 0; i < eh->e_phnum; ++i) {  // AT_PHDR: the PT_LOAD that holds e_phoff
        auto* ph = reinterpret_cast<const Elf64_Phdr*>(bytes.data() + eh->e_phoff + i * eh->e_phentsize);
        if (ph->p_type == PT_LOAD && ph->p_offset <= eh->e_phoff && eh->e_phoff < ph->p_offset + ph->p_filesz) {
            f.phdr = ph->p_vaddr + (eh->e_phoff - ph->p_offset);
            break;
        }
    }
    auto* sh = reinterpret_cast<const Elf64_Shdr*>(bytes.data() + eh->e_shoff);
    for (unsigned i = 0; eh->e_shoff && i < eh->e_shnum; ++i) {
        if (sh[i].sh_type != SHT_SYMTAB) continue;
        const char* names = reinterpret_cast<const char*>(bytes.data() + sh[sh[i].sh_link].sh_offset);
        auto* sym = reinterpret_cast<const Elf64_Sym*>(bytes.data() + sh[i].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); ++k)
            if (sym[k].st_name) f.symbols.emplace(names + sym[k].st_name, sym[k].st_value);
    }
    return f;
}

// ------------------------------------------------------- event recording ----

// A SyscallExitEvent with its strings owned (the event's views die with delivery).
struct SyscallRecord {
    SyscallAbi abi;
    int64_t nr;
    std::string name;
    std::array<uint64_t, 6> args;
    int64_t ret;
    bool returns;
};

struct Recording {
    std::vector<TransitionEvent> transitions;
    std::vector<SyscallRecord> syscalls;  // exits, in order (the first is the spawn's execve)
    std::vector<FaultEvent> faults;
    std::vector<ProcessExitEvent> exits;
    std::vector<std::string> warnings;

    std::vector<TransitionEvent> of_kind(TransitionKind kind) const {
        std::vector<TransitionEvent> out;
        for (auto& t : transitions)
            if (t.kind == kind) out.push_back(t);
        return out;
    }
    std::optional<SyscallRecord> first_syscall(std::string_view name) const {
        for (auto& s : syscalls)
            if (s.name == name) return s;
        return std::nullopt;
    }
};

class Recorder final : public EventSink {
public:
    Recorder(Recording& into, std::function<void(const Event&)> also) : r_(into), also_(std::move(also)) {}
    void on_event(const Event& e) override {
        if (auto* t = std::get_if<TransitionEvent>(&e)) r_.transitions.push_back(*t);
        if (auto* s = std::get_if<SyscallExitEvent>(&e))
            r_.syscalls.push_back({s->abi, s->nr, std::string(s->name), s->args, s->ret, s->returns});
        if (auto* f = std::get_if<FaultEvent>(&e)) r_.faults.push_back(*f);
        if (auto* x = std::get_if<ProcessExitEvent>(&e)) r_.exits.push_back(*x);
        if (auto* w = std::get_if<WarningEvent>(&e)) r_.warnings.push_back(w->text);
        if (also_) also_(e);
    }

private:
    Recording& r_;
    std::function<void(const Event&)> also_;
};

// ------------------------------------------------------------ guest runs ----

struct RunSetup {
    std::optional<fs::path> root;             // the guest's "/" (default: a scratch root)
    bool deterministic = true;
    KernelProfile kernel_profile = KernelProfile::seed;  // which built-in syscall_init boots
    std::string argv0 = "prog";
    std::vector<std::string> args;            // argv[1..]
    std::vector<std::string> envp = {"HOME=/", "PATH=/bin:/usr/bin"};
    std::string stdin_bytes;
    uint64_t timeout_us = kGuestTimeoutUs;
    // Called for every event during delivery (after recording), with the live session:
    // lets a test read or poke machine state at an exact moment.
    std::function<void(Session&, const Event&)> on_event;
};

struct GuestRun {
    std::string error;                        // set when the program could not even start
    RunResult result{RunResult::Kind::engine_error};
    std::string out, err;
    Recording events;
    std::vector<uint8_t> elf;                 // the program that ran
    ElfFacts facts;
    std::unique_ptr<Session> session;         // the machine as the run left it

    bool ok() const { return error.empty(); }
    bool exited(int code) const { return ok() && result.kind == RunResult::Kind::exited && result.exit_code == code; }
    bool killed_by(int signo) const { return ok() && result.kind == RunResult::Kind::killed && result.signal == signo; }
    uint64_t symbol(std::string_view name) const { return facts.symbol(name); }
};

inline std::string_view kind_name(RunResult::Kind k) {
    switch (k) {
    case RunResult::Kind::exited: return "exited";
    case RunResult::Kind::killed: return "killed";
    case RunResult::Kind::oops: return "oops";
    case RunResult::Kind::limit: return "limit";
    case RunResult::Kind::paused: return "paused";
    case RunResult::Kind::engine_error: return "engine_error";
    }
    return "?";
}

// One line for assertion messages: how the run ended and what it printed.
inline std::string describe(const GuestRun& r) {
    if (!r.ok()) return "could not run: " + r.error;
    std::string s = fmt::format("{} code={} signal={}", kind_name(r.result.kind), r.result.exit_code, r.result.signal);
    if (r.result.fault)
        s += fmt::format(" fault(vector={} rip={:#x} cr2={:#x} cpl={} why='{}')", r.result.fault->vector,
                         r.result.fault->rip, r.result.fault->cr2, r.result.fault->cpl, r.result.fault->why);
    if (!r.result.detail.empty()) s += " detail='" + r.result.detail + "'";
    return s + fmt::format(" stdout='{}' stderr='{}'", r.out, r.err);
}

inline std::string_view kind_name(TransitionKind k) {
    switch (k) {
    case TransitionKind::syscall: return "syscall";
    case TransitionKind::sysret: return "sysret";
    case TransitionKind::iret: return "iret";
    case TransitionKind::interrupt: return "interrupt";
    }
    return "?";
}

// The transitions a run made, one per line, for assertion messages.
inline std::string describe(const std::vector<TransitionEvent>& ts) {
    std::string s;
    for (auto& t : ts)
        s += fmt::format("\n  {} vector={:#x} {:#x}:{:#x} cpl{} -> {:#x}:{:#x} cpl{}", kind_name(t.kind), t.vector,
                         t.before.cs, t.before.rip, t.before.cpl, t.after.cs, t.after.rip, t.after.cpl);
    return s;
}

inline int make_memfd(const char* name, std::string_view content = {}) {
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd >= 0 && !content.empty()) {
        if (write(fd, content.data(), content.size()) != ssize_t(content.size())) return -1;
        lseek(fd, 0, SEEK_SET);
    }
    return fd;
}

// Runs a prepared program in a fresh Session, recording everything.
inline GuestRun run_program(Program program, const RunSetup& setup) {
    GuestRun run;
    run.elf = program.bytes;
    run.facts = elf_facts(run.elf);
    SessionOptions so;
    so.root = setup.root;
    so.kernel.deterministic = setup.deterministic;
    so.kernel_profile = setup.kernel_profile;
    auto session = Session::create(so);
    if (!session) {
        run.error = session.error();
        return run;
    }
    run.session = std::move(*session);
    Session& s = *run.session;

    int in = make_memfd("guest-stdin", setup.stdin_bytes), out = make_memfd("guest-stdout"),
        err = make_memfd("guest-stderr");
    program.stdio = {in, out, err};
    auto hook = setup.on_event;
    Recorder recorder(run.events, [&s, hook](const Event& e) { if (hook) hook(s, e); });
    s.events().subscribe(&recorder);
    if (auto spawned = s.kernel().spawn(program); !spawned) {
        run.error = "spawn: " + spawned.error();
    } else {
        run.result = s.kernel().run({setup.timeout_us});
    }
    s.events().unsubscribe(&recorder);
    run.out = read_memfd(out);
    run.err = read_memfd(err);
    for (int fd : {in, out, err}) close(fd);
    return run;
}

inline GuestRun run_file(const fs::path& path, const RunSetup& setup = {}) {
    std::vector<std::string> argv{setup.argv0};
    argv.insert(argv.end(), setup.args.begin(), setup.args.end());
    auto program = prepare_program(path, argv, setup.envp);
    if (!program) {
        GuestRun failed;
        failed.error = program.error().message;
        return failed;
    }
    return run_program(std::move(*program), setup);
}

// GNU as source, assembled with gcc and linked with ld -static by prepare_program.
inline GuestRun run_asm(std::string_view gnu_as_source, const RunSetup& setup = {}) {
    ScratchRoot dir = temp_dir("sysentry-asm");
    return run_file(write_file(dir.path() / "prog.s", gnu_as_source), setup);
}

inline fs::path example(std::string_view name) { return fs::path(SYSENTRY_EXAMPLES_DIR) / name; }

inline GuestRun run_elf(const fs::path& path, const RunSetup& setup = {}) { return run_file(path, setup); }

// ------------------------------------------------------ asm conveniences ----

// Macros every test program may use, then `_start:` and the body.
//   exit_imm N   exit(N)            exit_rdi   exit(%rdi)
//   exit_neg_rax exit(-%rax)        (errno of a failed syscall as the status)
inline constexpr std::string_view kAsmPrelude = R"(
	.macro exit_imm status
	movl	$60, %eax
	movl	$\status, %edi
	syscall
	.endm
	.macro exit_rdi
	movl	$60, %eax
	syscall
	.endm
	.macro exit_neg_rax
	movq	%rax, %rdi
	negq	%rdi
	movl	$60, %eax
	syscall
	.endm
	.globl	_start
	.text
_start:
)";

inline std::string asm_program(std::string_view body, std::string_view data = {}) {
    std::string s(kAsmPrelude);
    s += body;
    s += "\n";
    if (!data.empty()) s += fmt::format("\t.data\n{}\n", data);
    return s;
}

// --------------------------------------------------------- host processes ----

struct ProcessRun {
    std::string error;   // could not start
    bool timed_out = false;
    int exit_code = -1;  // when it exited
    int signal = 0;      // when a signal killed it
    std::string out, err;

    // What a shell reports: the exit code, or 128 + the signal.
    int status() const { return signal ? 128 + signal : exit_code; }
};

struct ProcessSetup {
    std::string stdin_text;
    std::optional<fs::path> cwd;
    std::optional<fs::path> exe;  // run this file with `args` as argv (else argv[0], searched in PATH)
    std::chrono::milliseconds timeout = kProcessTimeout;
};

inline ProcessRun run_process(const std::vector<std::string>& args, const ProcessSetup& setup = {}) {
    // A child may exit before reading all of its stdin; that is its business,
    // not a reason for the test process to die of SIGPIPE.
    static const bool sigpipe_ignored = (std::signal(SIGPIPE, SIG_IGN), true);
    (void)sigpipe_ignored;
    ProcessRun r;
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        r.error = "pipe";
        return r;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // a child sees only 0-2, as a guest does
    if (setup.cwd) posix_spawn_file_actions_addchdir_np(&fa, setup.cwd->c_str());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = setup.exe ? posix_spawn(&pid, setup.exe->c_str(), &fa, nullptr, argv.data(), environ)
                       : posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    for (int fd : {in[0], out[1], err[1]}) close(fd);
    if (rc != 0) {
        for (int fd : {in[1], out[0], err[0]}) close(fd);
        r.error = fmt::format("cannot run {}: {}", args[0], std::strerror(rc));
        return r;
    }
    // Feed stdin and drain both outputs together, so no pipe fills up and blocks the child.
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    size_t fed = 0;
    if (setup.stdin_text.empty()) close(std::exchange(in[1], -1));
    auto deadline = std::chrono::steady_clock::now() + setup.timeout;
    int open_outputs = 2;
    while (open_outputs > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        poll(fds, in[1] >= 0 ? 3 : 2, int(left.count()));
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                (i == 0 ? r.out : r.err).append(buf, size_t(n));
            } else {
                close(fds[i].fd);
                (i == 0 ? out[0] : err[0]) = -1;
                --open_outputs;
            }
        }
        if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(in[1], setup.stdin_text.data() + fed, setup.stdin_text.size() - fed);
            if (n > 0) fed += size_t(n);
            if (n < 0 || fed == setup.stdin_text.size()) close(std::exchange(in[1], -1));
        }
    }
    for (int fd : {in[1], out[0], err[0]})
        if (fd >= 0) close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    return r;
}

inline std::string describe(const ProcessRun& r) {
    return fmt::format("{}status={} (code={} signal={}){} stdout='{}' stderr='{}'", r.error.empty() ? "" : r.error + " ",
                       r.status(), r.exit_code, r.signal, r.timed_out ? " TIMED OUT" : "", r.out, r.err);
}

// The real `sysentry` binary, end to end.
inline ProcessRun run_cli(std::vector<std::string> args, std::string stdin_text = "",
                          std::optional<fs::path> cwd = {}) {
    args.insert(args.begin(), SYSENTRY_CLI);
    return run_process(args, {.stdin_text = std::move(stdin_text), .cwd = std::move(cwd)});
}

// The same program on the host kernel: the reference a guest run must match.
inline ProcessRun run_native(const std::vector<uint8_t>& elf, std::vector<std::string> argv = {"prog"},
                             std::optional<fs::path> cwd = {}) {
    ScratchRoot dir = temp_dir("sysentry-native");
    fs::path exe = write_file(dir.path() / "prog", std::string_view(reinterpret_cast<const char*>(elf.data()), elf.size()),
                              fs::perms(0755));
    return run_process(argv, {.cwd = std::move(cwd), .exe = exe});
}

// Compiles one C file to a static executable in `dir`; the compiler's output on failure.
inline std::expected<fs::path, std::string> build_c(std::string_view source, const std::string& compiler,
                                                    const fs::path& dir, std::vector<std::string> flags = {}) {
    fs::path src = write_file(dir / "prog.c", source), exe = dir / "prog";
    std::vector<std::string> args{compiler, "-static", "-O1", "-o", exe, src};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessRun r = run_process(args);
    if (!r.error.empty() || r.status() != 0)
        return std::unexpected(r.error + r.out + r.err);
    return exe;
}

inline bool on_path(const std::string& tool) {
    return run_process({"sh", "-c", "command -v " + tool}).status() == 0;
}

}  // namespace sysentry::test
