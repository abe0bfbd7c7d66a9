// The one stream through which tools (tracer, stepper, grader, exporters)
// observe the machine and the kernel model. The model publishes; tools never
// reach into the model's internals. With no subscriber, publishing is skipped.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sysentry/syscall_catalogue.hpp"

namespace sysentry {

class UserMemory;
class Cpu;

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
    uint64_t user_sp = 0;      // the caller's RSP (pt_regs->sp)
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

// A signal taken off a process's pending set for delivery (where strace's
// signal-delivery-stop prints it), with its siginfo; then its handler runs, it
// is ignored, or its default action ends the process. Faults are FaultEvents.
struct SignalEvent {
    int pid;      // who receives it
    int signal;
    int code;     // si_code: SI_USER, SI_TKILL, SI_QUEUE, SI_KERNEL, CLD_*
    int from_pid; // si_pid
    int status;   // si_status (SIGCHLD)
    uint64_t value = 0;  // si_value (SI_QUEUE)
};

struct ProcessExitEvent {
    int pid;
    int exit_code;    // valid when signal == 0
    int signal;       // the killing signal, or 0
};

struct WarningEvent {
    std::string text;
};

// One instruction about to execute (the carrier's helper instructions are
// never reported: the architectural SYSCALL and SYSRET stand for them).
struct InstructionEvent {
    uint64_t address;
    uint32_t size;
    uint64_t count;   // its number in the run, from 1
    const Cpu* cpu;   // valid during delivery only: the registers before it runs
};

// A handler about to run: the kernel built its rt_sigframe and pointed the
// return to ring 3 at the handler (on a system call's way out, or after a fault).
struct SignalDeliveryEvent {
    int pid;
    int signal;
    uint64_t handler;   // RIP in ring 3
    uint64_t frame;     // RSP: the rt_sigframe, its first word the restorer
    uint64_t interrupted_rip;  // where the program resumes after rt_sigreturn
};

using Event = std::variant<TransitionEvent, SyscallEntryEvent, SyscallExitEvent, FaultEvent,
                           ProcessExitEvent, WarningEvent, SignalEvent, InstructionEvent,
                           SignalDeliveryEvent>;

// What a sink wants to hear; the model builds an event only if someone does.
enum EventInterest : unsigned {
    kTransitions = 1u << 0,
    kSyscalls = 1u << 1,
    kFaults = 1u << 2,
    kExits = 1u << 3,
    kWarnings = 1u << 4,
    kEverything = (1u << 5) - 1,  // all of the above; not the per-instruction streams below
    // Per instruction, so a hook runs on every instruction while anyone asks:
    kInstructions = 1u << 5,      // an InstructionEvent for each one
    kInstructionCount = 1u << 6,  // only EventBus::instruction_count() at each event
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
    // Instructions executed so far, while a sink wants kInstructionCount or kInstructions.
    uint64_t instruction_count() const { return counter_ ? *counter_ : 0; }
    // The instruction probe: told when interest changes, it keeps the counter.
    void set_instruction_probe(const uint64_t* counter, std::function<void(unsigned wanted)> on_interest) {
        counter_ = counter;
        on_interest_ = std::move(on_interest);
        if (on_interest_) on_interest_(wanted_);
    }
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
        constexpr unsigned kByIndex[] = {kTransitions, kSyscalls, kSyscalls, kFaults,
                                         kExits, kWarnings, kFaults, kInstructions, kTransitions};
        return kByIndex[e.index()];
    }
    void recompute() {
        unsigned before = std::exchange(wanted_, 0);
        for (const Entry& s : sinks_) wanted_ |= s.interest;
        if (on_interest_ && wanted_ != before) on_interest_(wanted_);
    }
    std::vector<Entry> sinks_;
    unsigned wanted_ = 0;
    const uint64_t* counter_ = nullptr;
    std::function<void(unsigned)> on_interest_;
};

}  // namespace sysentry
