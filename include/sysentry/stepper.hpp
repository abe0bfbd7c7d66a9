// The stepper behind `sysentry step`: gdb's command vocabulary over an
// ExecutionController, plus commands about the privilege machinery. Each
// command returns the text to show; where that text goes (a terminal with line
// editing, or a batch transcript) is the caller's business.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysentry/events.hpp"
#include "sysentry/execution_controller.hpp"
#include "sysentry/strace_format.hpp"
#include "sysentry/symbolizer.hpp"

namespace sysentry {

struct StepperOptions {
    bool colour = false;       // highlight changed registers with ANSI escapes
    unsigned show_instructions = 3;  // how many instructions each stop lists
};

class Stepper final : private EventSink {
public:
    Stepper(ExecutionController& controller, const ElfImage& program, StepperOptions options = {});
    ~Stepper() override;

    std::string execute(std::string_view line);  // one command; the text to show
    std::string where();                         // the current stop, as after a step
    bool quit_requested() const { return quit_; }

    Stepper(const Stepper&) = delete;
    Stepper& operator=(const Stepper&) = delete;

private:
    using Args = std::vector<std::string>;
    std::string run_command(const std::string& cmd, const Args& args);
    std::string info(const Args& args);
    std::string after_stop(const Stop& s, bool full_cards);
    std::string stop_line(const Stop& s);
    std::string changed_registers();
    std::string listing(uint64_t address, unsigned count);
    std::string examine(std::string_view format, const Args& args);
    std::string set_breakpoint(const Args& args, bool temporary);
    std::string catch_syscall(const Args& args);
    std::string delete_points(const Args& args);
    std::string info_breakpoints();
    std::string info_registers(const Args& args);
    std::string info_ring();
    std::string info_pt_regs();
    std::string info_syscall();
    std::string info_proc_syscall();
    std::optional<uint64_t> value_of(std::string_view expr);
    std::string highlight(std::string_view text) const;
    Symbolizer& symbols();
    void on_event(const Event& e) override;
    void describe_event(const Event& e);

    ExecutionController& c_;
    ElfImage program_;
    StepperOptions options_;
    std::optional<Symbolizer> symbols_;
    uint64_t bias_ = 0;
    std::optional<RegisterFile> last_;
    std::string pending_;   // cards and lines from events during the current command
    bool full_cards_ = true;
    bool entered_by_int80_ = false;
    bool quit_ = false;

    // The current system call, as the last dispatch saw it.
    struct CurrentCall {
        int pid = 0;
        int64_t nr = -1;
        std::string name;
        std::array<uint64_t, 6> args{};
        std::string entry_text;   // strace's rendering up to the outputs
        std::optional<std::string> result_line;  // set once the service returned
    };
    std::optional<CurrentCall> call_;
    SyscallFormatter formatter_;
};

}  // namespace sysentry
