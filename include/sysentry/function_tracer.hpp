// `run --ftrace`: ltrace -S for a static program. Calls to named functions are
// found through the ELF symbol table and caught by code hooks on their entry
// and `ret` addresses only (nothing else is slowed down); system calls arrive
// as events. Only the outermost traced call prints, as ltrace on a static
// binary sees only the program's own calls, not libc's internal ones:
//   puts("hi")                                       = 3
//   SYS_write(1, "hi\n", 3)                          = 3
#pragma once
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sysentry/cpu.hpp"
#include "sysentry/events.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry {

class Kernel;
struct Program;

class FunctionTracer final : public EventSink {
public:
    // The libc functions traced when no names are given (those the binary has).
    static const std::set<std::string>& default_functions();

    // Hooks `names` (default_functions() when empty) in `program`; names it
    // lacks are ignored, unless none is found: then missing() lists them.
    FunctionTracer(Kernel& kernel, const Program& program, std::set<std::string> names, FILE* out);
    FunctionTracer(const FunctionTracer&) = delete;
    FunctionTracer& operator=(const FunctionTracer&) = delete;

    const std::vector<std::string>& traced() const { return traced_; }  // the names found, hooked
    struct Prototype;  // how ltrace would print one function (function_tracer.cpp)

    // Subscribe with kSyscalls | kExits.
    void on_event(const Event& e) override;

private:
    struct Function {
        std::string name;
        const Prototype* prototype;  // how to print it; nullptr: six raw registers
    };
    struct Frame {
        const Function* function;
        uint64_t rsp;        // at entry: points at the return address
        bool printed;        // the outermost call: its line is on the output
    };
    void hook_function(const Program& program, const std::string& name, uint64_t address, uint64_t size);
    void on_entry(const Function& f);
    void on_ret(const Function& f);
    void end_frames_below(uint64_t rsp, bool returned);
    void interrupt_open_call();
    std::string call_text(const Function& f) const;
    std::string return_text(const Function& f) const;
    static void on_entry_hook(uc_engine*, uint64_t address, uint32_t, void* user);
    static void on_ret_hook(uc_engine*, uint64_t address, uint32_t, void* user);

    Kernel& kernel_;
    FILE* out_;
    std::vector<Hook> hooks_;
    std::map<uint64_t, Function> functions_;    // by entry address
    std::map<uint64_t, const Function*> rets_;  // a `ret` address -> its function
    std::map<int, std::vector<Frame>> stacks_;  // per pid
    std::vector<std::string> traced_;
    bool open_line_ = false;      // a printed call line waits for its result
    size_t open_length_ = 0;      // its length, for aligning the result
    int execs_ = 0;
    uint64_t main_address_ = 0;   // main's entry, when the program has one
    uint64_t main_rsp_ = 0;       // rsp at main's entry while main runs, else 0
    bool active_ = true;          // false after an execve: the addresses mean nothing any more
    SyscallFormatter syscall_;
};

}  // namespace sysentry
