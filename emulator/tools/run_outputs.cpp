#include "sysentry/run_outputs.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

#include "sysentry/instruction_trace.hpp"
#include "sysentry/session.hpp"
#include "sysentry/timeline.hpp"

namespace sysentry {

constexpr size_t kStripWidthOffTerminal = 72;
constexpr size_t kStripMargin = 10;  // "ring 3 |" and the closing "|"

RunOutputs::RunOutputs(Session& session, RunOutputOptions options) : session_(session), options_(std::move(options)) {}

RunOutputs::~RunOutputs() {
    if (itrace_) session_.events().unsubscribe(itrace_.get());
    if (timeline_) session_.events().unsubscribe(timeline_.get());
    itrace_.reset();  // flushes into the file before it closes
    if (itrace_file_) std::fclose(itrace_file_);
}

std::expected<std::unique_ptr<RunOutputs>, std::string> RunOutputs::attach(Session& session,
                                                                           const RunOutputOptions& options) {
    std::unique_ptr<RunOutputs> o(new RunOutputs(session, options));
    if (options.itrace) {
        o->itrace_file_ = std::fopen(options.itrace->c_str(), "w");
        if (!o->itrace_file_) return std::unexpected(fmt::format("{}: {}", *options.itrace, std::strerror(errno)));
        o->itrace_ = std::make_unique<InstructionTrace>(o->itrace_file_, session);
        session.events().subscribe(o->itrace_.get(), InstructionTrace::kInterest);
    }
    if (options.perfetto || options.html || options.strip) {
        o->timeline_ = std::make_unique<TimelineRecorder>(session);
        session.events().subscribe(o->timeline_.get(), TimelineRecorder::kInterest);
    }
    return o;
}

static std::expected<void, std::string> write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), std::streamsize(text.size()));
    out.close();
    if (!out) return std::unexpected(fmt::format("{}: cannot write", path));
    return {};
}

// Block characters and colour on a terminal, unless NO_COLOR is set (no-color.org).
static bool fancy_stderr() {
    const char* no_color = std::getenv("NO_COLOR");
    return isatty(STDERR_FILENO) && !(no_color && *no_color);
}

static size_t strip_width() {
    winsize ws{};
    if (isatty(STDERR_FILENO) && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > kStripMargin + 10)
        return ws.ws_col - kStripMargin;
    return kStripWidthOffTerminal;
}

std::expected<void, std::string> RunOutputs::finish() {
    if (itrace_) {
        itrace_->finish();
        if (std::ferror(itrace_file_)) return std::unexpected(fmt::format("{}: cannot write", *options_.itrace));
    }
    if (!timeline_) return {};
    const Timeline& t = timeline_->finish();
    if (options_.perfetto)
        if (auto r = write_text(*options_.perfetto, perfetto_json(t)); !r) return r;
    if (options_.html)
        if (auto r = write_text(*options_.html, timeline_html(t, options_.title)); !r) return r;
    if (options_.strip) fmt::print(stderr, "{}", timeline_strip(t, strip_width(), fancy_stderr()));
    return {};
}

}  // namespace sysentry
