// SYSCALL, SYSRET and interrupt entry, as the architecture defines them,
// applied by us because Unicorn 2.0.1 performs none of it (docs/carrier.md).
// The register effects are computed here; the CPL change itself is real: a
// call gate carries ring 3 to ring 0 and an IRET carries ring 0 back.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sysentry/cpu.hpp"
#include "sysentry/events.hpp"
#include "sysentry/guest_ranges.hpp"
#include "sysentry/msr_view.hpp"

namespace sysentry {

class Machine;

// The kernel's side of the two dispatch instructions in the entry stubs.
class SyscallDispatcher {
public:
    virtual ~SyscallDispatcher() = default;
    virtual void do_syscall_64(uint64_t regs, int64_t nr) = 0;
    virtual void do_int80_syscall_32(uint64_t regs, uint32_t nr) = 0;
    // A ring-3 #PF at `address`: true when demand paging mapped the page (retry the instruction).
    virtual bool user_page_fault(uint64_t address) = 0;
};

// A fault the model raised or the engine reported, for the run loop to act on.
struct Fault {
    uint8_t vector;
    uint64_t rip;
    uint64_t cr2;
    unsigned cpl;
    std::string why;  // the model's own explanation, e.g. "SYSRET with non-canonical RCX"
};

class TransitionModel {
public:
    TransitionModel(Machine& machine, EventBus& events, SyscallDispatcher& dispatcher);
    TransitionModel(const TransitionModel&) = delete;
    TransitionModel& operator=(const TransitionModel&) = delete;

    // After the engine stops: a fault to handle, or a RIP to resume at.
    std::optional<Fault> take_fault() {
        scratch_pages_.clear();
        return std::exchange(fault_, std::nullopt);
    }
    std::optional<uint64_t> take_resume() { return std::exchange(resume_, std::nullopt); }

    bool sce() const { return sce_; }
    SyscallMsrs msrs() const { return read_syscall_msrs(cpu_, sce_); }
    RegisterFile registers() const;

    void raise(Fault f);  // record a fault and stop the engine

private:
    struct PendingEntry {
        enum class Kind { syscall, interrupt } kind;
        uint64_t user_rsp;
        uint64_t return_rip;   // interrupt: RIP after `int n`
        uint64_t user_rflags;  // interrupt: RFLAGS before the gate cleared IF/TF
        uint64_t handler;      // interrupt: the IDT gate's target
        uint8_t vector;
        RegisterFile before;
    };

    static void on_syscall(uc_engine*, void*);
    static void on_landing(uc_engine*, uint64_t, uint32_t, void*);
    static void on_sysret_site(uc_engine*, uint64_t, uint32_t, void*);
    static void on_wrmsr_site(uc_engine*, uint64_t, uint32_t, void*);
    static void on_iret_site(uc_engine*, uint64_t, uint32_t, void*);
    static void on_out(uc_engine*, uint32_t port, int size, uint32_t value, void*);
    static void on_interrupt(uc_engine*, uint32_t intno, void*);
    static bool on_invalid(uc_engine*, void*);
    static bool on_unmapped(uc_engine*, uc_mem_type, uint64_t address, int, int64_t, void*);
    uint64_t instruction_before(uint64_t next_rip, unsigned x86_insn) const;
    std::optional<uint64_t> port_io_near(uint64_t rip, bool or_before) const;

    void syscall_instruction();
    void land();
    void sysret_instruction(bool from_hook);
    void software_interrupt(uint8_t vector);
    void publish_transition(TransitionKind kind, const RegisterFile& before, uint8_t vector = 0);
    bool is_sysretq_at(uint64_t rip) const;
    void scan_kernel_text();

    Machine& machine_;
    Cpu& cpu_;
    EventBus& events_;
    SyscallDispatcher& dispatcher_;
    bool sce_ = false;
    std::optional<PendingEntry> pending_;
    std::optional<Fault> fault_;
    std::optional<uint64_t> resume_;
    uint64_t carrier_call_, carrier_landing_, carrier_iret_;
    uint64_t* carrier_frame_;
    std::vector<Hook> hooks_;
    RangeMap scratch_pages_;  // engine memory with no page-table entry, to provoke real faults
};

}  // namespace sysentry
