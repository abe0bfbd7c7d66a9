// The one stream through which tools (tracer, stepper, grader, exporters)
// observe the machine and the kernel model. The model publishes; tools never
// reach into the model's internals. With no subscriber, publishing is skipped.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sysentry/syscall_catalogue.hpp"

namespace sysentry {

class UserMemory;

// The architectural register file at one instant (what a student compares).
struct RegisterFile {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint16_t cs, ss;
    unsigned cpl;
};

enum class TransitionKind { syscall, sysret, iret, interrupt };

// A change of privilege level, with the state on both sides.
struct TransitionEvent {
    TransitionKind kind;
    RegisterFile before, after;
    uint8_t vector = 0;  // interrupt/exception
};

struct SyscallEntryEvent {
    int pid;
    SyscallAbi abi;
    int64_t nr;
    std::string_view name;  // "" for a hole in the table
    std::array<uint64_t, 6> args;
    const UserMemory* memory;  // valid during delivery only
    uint64_t regs = 0;         // guest address of the caller's pt_regs (on its kernel stack)
};

struct SyscallExitEvent {
    int pid;
    SyscallAbi abi;
    int64_t nr;
    std::string_view name;
    std::array<uint64_t, 6> args;
    int64_t ret;
    bool returns;  // false for exit/exit_group and a successful execve
    const UserMemory* memory;
};

struct FaultEvent {
    int pid;
    uint8_t vector;
    uint64_t rip, cr2;
    unsigned cpl;
    int signal;       // 0 for a fault in ring 0 (an oops)
    int signal_code = 0;  // si_code, as the siginfo would carry it
    uint64_t signal_address = 0;  // si_addr
};

// A signal generated for a process by the kernel (today: SIGCHLD).
struct SignalEvent {
    int pid;      // who receives it
    int signal;
    int code;     // si_code
    int from_pid; // si_pid
    int status;   // si_status
};

struct ProcessExitEvent {
    int pid;
    int exit_code;    // valid when signal == 0
    int signal;       // the killing signal, or 0
};

struct WarningEvent {
    std::string text;
};

using Event = std::variant<TransitionEvent, SyscallEntryEvent, SyscallExitEvent, FaultEvent,
                           ProcessExitEvent, WarningEvent, SignalEvent>;

// What a sink wants to hear; the model builds an event only if someone does.
enum EventInterest : unsigned {
    kTransitions = 1u << 0,
    kSyscalls = 1u << 1,
    kFaults = 1u << 2,
    kExits = 1u << 3,
    kWarnings = 1u << 4,
    kEverything = ~0u,
};

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(const Event& event) = 0;
};

class EventBus {
public:
    void subscribe(EventSink* sink, unsigned interest = kEverything) {
        sinks_.push_back({sink, interest});
        recompute();
    }
    void unsubscribe(EventSink* sink) {
        std::erase_if(sinks_, [sink](const Entry& e) { return e.sink == sink; });
        recompute();
    }
    // The one check on the hot paths: is anyone listening for this kind?
    bool wants(unsigned interest) const { return (wanted_ & interest) != 0; }
    void publish(const Event& e) const {
        unsigned kind = interest_of(e);
        for (const Entry& s : sinks_)
            if (s.interest & kind) s.sink->on_event(e);
    }

private:
    struct Entry {
        EventSink* sink;
        unsigned interest;
    };
    static unsigned interest_of(const Event& e) {
        constexpr unsigned kByIndex[] = {kTransitions, kSyscalls, kSyscalls, kFaults, kExits, kWarnings, kFaults};
        return kByIndex[e.index()];
    }
    void recompute() {
        wanted_ = 0;
        for (const Entry& s : sinks_) wanted_ |= s.interest;
    }
    std::vector<Entry> sinks_;
    unsigned wanted_ = 0;
};

}  // namespace sysentry
