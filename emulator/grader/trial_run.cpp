#include "trial_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "sysentry/diagnostics.hpp"
#include "sysentry/exceptions.hpp"
#include "sysentry/scratch_root.hpp"
#include "sysentry/session.hpp"
#include "kernel_watch.hpp"
#include "trial_recorder.hpp"

namespace sysentry::grading {

namespace fs = std::filesystem;

std::string TrialObservation::ending() const {
    if (!stop_reason.empty()) return stop_reason;
    switch (result.kind) {
    case RunResult::Kind::exited: return fmt::format("exited with status {}", result.exit_code);
    case RunResult::Kind::killed: return fmt::format("was killed by {}", signal_name(result.signal));
    case RunResult::Kind::oops: return "crashed the guest kernel (an oops)";
    case RunResult::Kind::limit:
        return result.detail.starts_with("time") ? "ran out of time (wall-clock limit)" : "stopped: " + result.detail;
    case RunResult::Kind::paused:
    case RunResult::Kind::engine_error: return "stopped by an engine error: " + result.detail;
    }
    return "ended";
}

namespace {

constexpr const char* kEnvironment[] = {"PATH=/bin:/usr/bin", "HOME=/", "TERM=dumb", "LANG=C"};

// A host fd owned here.
struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd, o.fd);
        return *this;
    }
    ~Fd() {
        if (fd >= 0) close(fd);
    }
};

Fd memfd_with(std::string_view name, std::string_view content) {
    Fd f(memfd_create(std::string(name).c_str(), MFD_CLOEXEC));
    for (size_t done = 0; f.fd >= 0 && done < content.size();) {
        ssize_t n = write(f.fd, content.data() + done, content.size() - done);
        if (n <= 0) break;
        done += size_t(n);
    }
    if (f.fd >= 0) lseek(f.fd, 0, SEEK_SET);
    return f;
}

std::string memfd_contents(int fd, uint64_t limit) {
    std::string out;
    char buf[8192];
    for (off_t at = 0; out.size() < limit;) {
        ssize_t n = pread(fd, buf, sizeof buf, at);
        if (n <= 0) break;
        out.append(buf, size_t(n));
        at += n;
    }
    if (out.size() > limit) out.resize(limit);
    return out;
}

// Feeds stdin through a pipe in pieces of `piece` bytes, each written only once
// the previous one has been read: every read then returns at most `piece` bytes.
class ShortReadFeeder {
public:
    ShortReadFeeder(std::string text, size_t piece) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) return;
        read_end_ = Fd(p[0]);
        write_end_ = Fd(p[1]);
        thread_ = std::thread([this, text = std::move(text), piece] { feed(text, piece); });
    }
    ~ShortReadFeeder() {
        done_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int guest_fd() const { return read_end_.fd; }

private:
    void feed(const std::string& text, size_t piece) {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);  // a guest that stops reading is not our death
        for (size_t at = 0; at < text.size() && !done_; at += piece) {
            std::string_view chunk = std::string_view(text).substr(at, piece);
            if (write(write_end_.fd, chunk.data(), chunk.size()) != ssize_t(chunk.size())) break;
            for (int queued = 1; queued > 0 && !done_;) {
                if (ioctl(write_end_.fd, FIONREAD, &queued) != 0) return;
                if (queued > 0) poll(nullptr, 0, 1);
            }
        }
        close(std::exchange(write_end_.fd, -1));  // EOF
    }
    Fd read_end_, write_end_;
    std::atomic<bool> done_ = false;
    std::thread thread_;
};

std::expected<void, std::string> place_files(const fs::path& root, const Trial& trial) {
    for (auto& [path, content] : trial.files) {
        fs::path host = root / path;
        std::error_code ec;
        fs::create_directories(host.parent_path(), ec);
        std::ofstream out(host, std::ios::binary);
        if (!out.write(content.data(), std::streamsize(content.size())))
            return std::unexpected(fmt::format("cannot place {} in the guest root", path));
    }
    return {};
}

Detectors detectors_for(const Lesson& lesson, const ProgramFacts& facts) {
    Detectors out;
    for (const Diagnostic& d : diagnostic_catalogue())
        if (d.side == lesson.side && std::ranges::find(lesson.silence, d.id) == lesson.silence.end())
            out.emplace_back(std::string(d.id), d.make(facts));
    return out;
}

}  // namespace

std::expected<void, std::string> run_trial(const Lesson& lesson, const Trial& trial, const BuiltSubmission& built,
                                           const std::function<void(TrialObservation&)>& examine) {
    auto root = ScratchRoot::create("sysentry-trial");
    if (!root) return std::unexpected("cannot create the guest root");
    if (auto placed = place_files(root->path(), trial); !placed) return placed;
    SessionOptions so;
    so.root = root->path();
    so.writable_root = true;  // a private root: the guest's files land where the checks read them
    so.kernel.deterministic = true;
    so.kernel.memory_limit = lesson.limits.memory_mib << 20;
    so.kernel.max_processes = 64;
    so.kernel_elf = built.kernel_elf;
    const bool kernel_side = lesson.side == LessonSide::kernel;
    TrialRecorder* recorder_ptr = nullptr;
    KernelWatch* watch_ptr = nullptr;
    auto user_code = std::make_unique<Hook>(), kernel_code = std::make_unique<Hook>();
    so.before_kernel = [&](Machine& m) {
        *user_code = TrialRecorder::hook_user_code(m.cpu(), &recorder_ptr);
        if (kernel_side) *kernel_code = KernelWatch::hook_kernel_code(m.cpu(), &watch_ptr);
    };
    auto session = Session::create(so);
    if (!session) {
        (void)user_code.release();  // its engine is gone: removing the hook would touch freed memory
        (void)kernel_code.release();
        return std::unexpected(session.error());
    }
    // The hook goes before the engine does.
    struct Unhook {
        std::unique_ptr<Hook>& hook;
        ~Unhook() { hook.reset(); }
    } unhook{user_code}, unhook_kernel{kernel_code};

    Program program = built.program;
    program.argv = {fs::path(program.guest_path).stem().string()};
    program.argv.insert(program.argv.end(), trial.argv.begin(), trial.argv.end());
    program.envp.assign(std::begin(kEnvironment), std::end(kEnvironment));
    std::optional<ShortReadFeeder> feeder;
    Fd in = trial.short_reads ? Fd() : memfd_with("stdin", trial.stdin_text);
    if (trial.short_reads) feeder.emplace(trial.stdin_text, *trial.short_reads);
    Fd out = memfd_with("stdout", ""), err = memfd_with("stderr", "");
    int stdin_fd = feeder ? feeder->guest_fd() : in.fd;
    if (stdin_fd < 0 || out.fd < 0 || err.fd < 0) return std::unexpected("cannot create the guest's stdio");
    program.stdio = {stdin_fd, out.fd, err.fd};

    TrialObservation o;
    o.root = root->path();
    o.record_transitions = lesson.side == LessonSide::quiz;
    {
        std::optional<KernelWatch> watch;
        if (kernel_side) watch.emplace(**session, o.kernel), watch_ptr = &*watch;
        TrialRecorder recorder(**session, lesson.limits, detectors_for(lesson, built.facts), o);
        recorder_ptr = &recorder;
        if (auto spawned = (*session)->kernel().spawn(program); !spawned)
            return std::unexpected("spawn: " + spawned.error());
        o.result = (*session)->kernel().run({uint64_t(lesson.limits.wall_seconds * 1e6)});
        recorder_ptr = nullptr;
        watch_ptr = nullptr;
        if (o.result.kind == RunResult::Kind::limit && o.stop_reason.empty() && o.result.detail.starts_with("time"))
            o.stop_reason = fmt::format("time limit ({} s) reached", lesson.limits.wall_seconds);
        recorder.finish();
    }
    o.out = memfd_contents(out.fd, lesson.limits.output_bytes + 1);
    o.err = memfd_contents(err.fd, lesson.limits.output_bytes + 1);
    if (o.out.size() + o.err.size() > lesson.limits.output_bytes && o.stop_reason.empty())
        o.stop_reason = fmt::format("output limit ({} bytes) reached", lesson.limits.output_bytes);
    examine(o);
    return {};
}

}  // namespace sysentry::grading
