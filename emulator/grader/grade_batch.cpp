#include "sysentry/grade_batch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "submission_build.hpp"
#include "sysentry/elf_image.hpp"
#include "sysentry/exceptions.hpp"
#include "sysentry/scratch_root.hpp"

namespace sysentry::grading {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

bool is_submission(const fs::path& p) {
    static const std::set<std::string> kSources = {".s", ".S", ".asm", ".nasm", ".c"};
    if (p.filename().string().starts_with('.')) return false;
    if (kSources.contains(p.extension().string())) return true;
    std::ifstream in(p, std::ios::binary);
    char magic[4] = {};
    return in.read(magic, 4) && std::memcmp(magic, "\x7f" "ELF", 4) == 0;
}

// One forked worker grading one submission; its report comes back as JSON on a pipe.
struct Worker {
    size_t index;
    pid_t pid;
    int pipe;
    std::string output;
    Clock::time_point deadline;
};

[[noreturn]] void work(const Lesson& lesson, const fs::path& file, const GradeOptions& options, int out) {
    std::string text;
    try {
        text = nlohmann::json(grade_submission(lesson, file, options)).dump();
    } catch (const std::exception& e) {
        SubmissionReport r;
        r.submission = file.string();
        r.lesson = lesson.id;
        r.seed = options.seed;
        r.status = SubmissionStatus::internal_error;
        r.error = fmt::format("the grader failed: {}", e.what());
        text = nlohmann::json(r).dump();
    }
    for (size_t done = 0; done < text.size();) {
        ssize_t n = write(out, text.data() + done, text.size() - done);
        if (n <= 0) break;
        done += size_t(n);
    }
    _exit(0);
}

SubmissionReport broken(const Lesson& lesson, const fs::path& file, const GradeOptions& options, std::string why) {
    SubmissionReport r;
    r.submission = file.string();
    r.lesson = lesson.id;
    r.seed = options.seed;
    r.max_score = lesson.max_points();
    r.status = SubmissionStatus::internal_error;
    r.error = std::move(why);
    for (auto& c : lesson.checks) r.checks.push_back({c.name, 0, c.points, false, "", "", c.hint, c.hidden});
    return r;
}

// What became of a worker: its report, or why there is none.
SubmissionReport collect(const Lesson& lesson, const fs::path& file, const GradeOptions& options, Worker& w,
                         bool timed_out, double limit_s) {
    int status = 0;
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) return broken(lesson, file, options, fmt::format("grading took longer than {:g} s; stopped", limit_s));
    if (WIFSIGNALED(status))
        return broken(lesson, file, options, fmt::format("the grader was killed by {} on this submission",
                                                         signal_name(WTERMSIG(status))));
    try {
        return nlohmann::json::parse(w.output).get<SubmissionReport>();
    } catch (const std::exception&) {
        return broken(lesson, file, options, "the grader's worker ended without a report");
    }
}

void draw_progress(size_t done, size_t total) {
    constexpr int kWidth = 30;
    int filled = total ? int(kWidth * done / total) : kWidth;
    fmt::print(stderr, "\rgrading [{}{}] {}/{}", std::string(size_t(filled), '#'), std::string(size_t(kWidth - filled), '.'),
               done, total);
    if (done == total) fmt::print(stderr, "\n");
    std::fflush(stderr);
}

std::string csv_field(std::string_view s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

std::vector<fs::path> submissions_in(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && is_submission(e.path())) files.push_back(e.path());
    std::ranges::sort(files);
    return files;
}

std::vector<SubmissionReport> grade_batch(const Lesson& lesson, const std::vector<fs::path>& files,
                                          const BatchOptions& options, BatchSummary& summary) {
    auto t0 = Clock::now();
    GradeOptions grade = options.grade;
    std::optional<ScratchRoot> harness_dir;
    std::vector<SubmissionReport> reports(files.size());
    if (lesson.harness && !grade.harness_object) {  // one compile of the harness for the whole batch
        harness_dir.emplace(std::move(*ScratchRoot::create("sysentry-harness")));
        auto h = build_harness(lesson, harness_dir->path());
        if (!h) {
            for (size_t i = 0; i < files.size(); ++i) reports[i] = broken(lesson, files[i], grade, h.error().message);
            return reports;
        }
        grade.harness_object = *h;
    }
    // Generous: a worker that outlives every trial's limit plus building is stuck.
    double limit_s = double(lesson.trials.size()) * (lesson.limits.wall_seconds + 2) + 60;
    std::vector<Worker> running;
    size_t next = 0, done = 0;
    unsigned jobs = std::max(1u, options.jobs);
    if (options.progress) draw_progress(0, files.size());
    while (done < files.size()) {
        while (running.size() < jobs && next < files.size()) {
            int p[2];
            if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
            pid_t pid = fork();
            if (pid == 0) {
                close(p[0]);
                work(lesson, files[next], grade, p[1]);
            }
            close(p[1]);
            if (pid < 0) {
                close(p[0]);
                reports[next] = broken(lesson, files[next], grade, "cannot fork a worker");
                ++next, ++done;
                continue;
            }
            running.push_back({next++, pid, p[0], "", Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                                       std::chrono::duration<double>(limit_s))});
        }
        if (running.empty()) continue;
        std::vector<pollfd> fds;
        for (auto& w : running) fds.push_back({w.pipe, POLLIN, 0});
        poll(fds.data(), fds.size(), 100);
        for (size_t k = running.size(); k-- > 0;) {
            Worker& w = running[k];
            bool finished = false, timed_out = Clock::now() > w.deadline;
            if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[65536];
                ssize_t n = read(w.pipe, buf, sizeof buf);
                if (n > 0) w.output.append(buf, size_t(n));
                else finished = true;
            }
            if (!finished && !timed_out) continue;
            if (timed_out && !finished) kill(w.pid, SIGKILL);
            close(w.pipe);
            reports[w.index] = collect(lesson, files[w.index], grade, w, timed_out && !finished, limit_s);
            running.erase(running.begin() + ptrdiff_t(k));
            if (options.progress) draw_progress(++done, files.size());
            else ++done;
        }
    }
    summary = {};
    summary.submissions = reports.size();
    summary.max_score = lesson.max_points();
    for (auto& r : reports) {
        summary.all_passed += r.all_passed();
        summary.some_failed += r.status == SubmissionStatus::graded && !r.all_passed();
        summary.build_errors += r.status == SubmissionStatus::build_error;
        summary.internal_errors += r.status == SubmissionStatus::internal_error;
        summary.mean_score += r.score;
        summary.build_seconds += r.build_seconds;
        summary.run_seconds += r.run_seconds;
    }
    if (!reports.empty()) summary.mean_score /= double(reports.size());
    summary.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return reports;
}

std::string summary_text(const BatchSummary& s) {
    return fmt::format("{} submissions: {} passed, {} failed checks, {} did not build, {} internal errors\n"
                       "mean score {:.2f}/{:g}; {:.2f} s in all (assembling and linking {:.2f} s, emulating {:.2f} s, "
                       "summed over workers)\n",
                       s.submissions, s.all_passed, s.some_failed, s.build_errors, s.internal_errors, s.mean_score,
                       s.max_score, s.wall_seconds, s.build_seconds, s.run_seconds);
}

bool write_summary_files(const std::vector<SubmissionReport>& reports, const BatchSummary& s, const fs::path& dir) {
    std::ofstream csv(dir / "grade-summary.csv");
    csv << "submission,status,score,max_score,failed_checks,diagnostics,seed,build_seconds,run_seconds\n";
    nlohmann::json rows = nlohmann::json::array();
    for (auto& r : reports) {
        std::string failed, found;
        for (auto& c : r.checks)
            if (!c.passed) failed += (failed.empty() ? "" : "; ") + c.name;
        for (auto& f : r.findings) found += (found.empty() ? "" : " ") + f.id;
        csv << fmt::format("{},{},{:g},{:g},{},{},{},{:.4f},{:.4f}\n", csv_field(r.submission), to_string(r.status),
                           r.score, r.max_score, csv_field(failed), csv_field(found), r.seed, r.build_seconds,
                           r.run_seconds);
        rows.push_back({{"submission", r.submission}, {"status", to_string(r.status)}, {"score", r.score},
                        {"max_score", r.max_score}, {"failed_checks", failed}, {"diagnostics", found}, {"seed", r.seed}});
    }
    nlohmann::json all = {{"submissions", s.submissions},   {"all_passed", s.all_passed},
                          {"some_failed", s.some_failed},   {"build_errors", s.build_errors},
                          {"internal_errors", s.internal_errors}, {"mean_score", s.mean_score},
                          {"max_score", s.max_score},       {"wall_seconds", s.wall_seconds},
                          {"build_seconds", s.build_seconds}, {"run_seconds", s.run_seconds},
                          {"results", rows}};
    std::ofstream js(dir / "grade-summary.json");
    js << all.dump(2) << "\n";
    return bool(csv) && bool(js);
}

}  // namespace sysentry::grading
