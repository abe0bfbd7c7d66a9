// What `run --itrace/--perfetto/--timeline` and `timeline -o` produce: the
// tools are attached to a session before the run and write after it.
#pragma once
#include <cstdio>
#include <expected>
#include <memory>
#include <optional>
#include <string>

namespace sysentry {

class Session;
class InstructionTrace;
class TimelineRecorder;

struct RunOutputOptions {
    std::optional<std::string> itrace;    // one line per instruction, to this file
    std::optional<std::string> perfetto;  // Chrome trace-event JSON
    std::optional<std::string> html;      // the self-contained timeline page
    bool strip = false;                   // the ring-over-time strip on stderr
    std::string title = "sysentry";       // the page's title: the command that ran
};

class RunOutputs {
public:
    // Opens the files and subscribes the tools; an error names the file.
    static std::expected<std::unique_ptr<RunOutputs>, std::string> attach(Session& session,
                                                                          const RunOutputOptions& options);
    ~RunOutputs();
    // After the run: writes the files and prints the strip. An error names the file.
    std::expected<void, std::string> finish();

private:
    RunOutputs(Session& session, RunOutputOptions options);
    Session& session_;
    RunOutputOptions options_;
    FILE* itrace_file_ = nullptr;
    std::unique_ptr<InstructionTrace> itrace_;
    std::unique_ptr<TimelineRecorder> timeline_;
};

}  // namespace sysentry
