// The x86-64 CPU: one Unicorn engine, owned. Registers, MSRs, hooks and the
// run call; nothing here knows about the kernel model.
#pragma once
#include <cstdint>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unicorn/unicorn.h>

namespace sysentry {

// An engine call that failed where failure means a bug in sysentry, not bad input.
struct EngineError : std::runtime_error {
    EngineError(const char* what, uc_err err);
    uc_err code;
};

enum class Reg : int {
    rax = UC_X86_REG_RAX, rbx = UC_X86_REG_RBX, rcx = UC_X86_REG_RCX, rdx = UC_X86_REG_RDX,
    rsi = UC_X86_REG_RSI, rdi = UC_X86_REG_RDI, rbp = UC_X86_REG_RBP, rsp = UC_X86_REG_RSP,
    r8 = UC_X86_REG_R8, r9 = UC_X86_REG_R9, r10 = UC_X86_REG_R10, r11 = UC_X86_REG_R11,
    r12 = UC_X86_REG_R12, r13 = UC_X86_REG_R13, r14 = UC_X86_REG_R14, r15 = UC_X86_REG_R15,
    rip = UC_X86_REG_RIP, rflags = UC_X86_REG_EFLAGS,
    cs = UC_X86_REG_CS, ss = UC_X86_REG_SS, ds = UC_X86_REG_DS, es = UC_X86_REG_ES,
    fs = UC_X86_REG_FS, gs = UC_X86_REG_GS,
    fs_base = UC_X86_REG_FS_BASE, gs_base = UC_X86_REG_GS_BASE,
    cr0 = UC_X86_REG_CR0, cr2 = UC_X86_REG_CR2, cr3 = UC_X86_REG_CR3, cr4 = UC_X86_REG_CR4,
};

// A hook registration; removes itself when destroyed.
class Hook {
public:
    Hook() = default;
    Hook(uc_engine* uc, uc_hook h) : uc_(uc), h_(h) {}
    Hook(Hook&& o) noexcept : uc_(o.uc_), h_(o.h_) { o.uc_ = nullptr; }
    Hook& operator=(Hook&& o) noexcept;
    ~Hook();
private:
    uc_engine* uc_ = nullptr;
    uc_hook h_ = 0;
};

class Cpu;

// A saved register file (a task switched out), owned.
class CpuContext {
public:
    explicit CpuContext(const Cpu& cpu);
    void save(const Cpu& cpu);
    void restore(Cpu& cpu) const;
    void set(Reg r, uint64_t v);

private:
    struct Free { void operator()(uc_context* c) const noexcept { uc_context_free(c); } };
    std::unique_ptr<uc_context, Free> ctx_;
};

class Cpu {
public:
    Cpu();  // x86-64, long mode, CPL 0
    ~Cpu();
    Cpu(Cpu&&) noexcept;
    Cpu& operator=(Cpu&&) noexcept;

    uint64_t reg(Reg r) const;
    void set_reg(Reg r, uint64_t v);
    // Several registers in one engine call (the syscall path reads and writes a handful).
    template <size_t N> std::array<uint64_t, N> regs(const std::array<Reg, N>& which) const {
        std::array<uint64_t, N> out{};
        read_batch(reinterpret_cast<const int*>(which.data()), out.data(), N);
        return out;
    }
    template <size_t N> void set_regs(const std::array<Reg, N>& which, const std::array<uint64_t, N>& values) {
        write_batch(reinterpret_cast<const int*>(which.data()), values.data(), N);
    }
    // Any engine register by its UC_X86_REG_* id, as raw little-endian bytes
    // (x87 80-bit, XMM 128-bit): what a debugger's register packets carry.
    bool read_register_bytes(int uc_reg, void* out) const;
    bool write_register_bytes(int uc_reg, const void* in);
    uint64_t msr(uint32_t id) const;
    void set_msr(uint32_t id, uint64_t v);
    void set_table_register(int uc_reg, uint64_t base, uint32_t limit, uint16_t selector = 0,
                            uint32_t flags = 0);
    // CPL is CS.RPL (the SDM: "the CPL is the RPL of the CS register").
    unsigned cpl() const { return unsigned(reg(Reg::cs) & 3); }

    // Map host memory into the engine's address space at `address`.
    void map_ram(uint64_t address, void* host, size_t size);
    void unmap_ram(uint64_t address, size_t size);
    // What the engine sees at `address` right now (the current process and the kernel).
    bool read_memory(uint64_t address, void* dst, size_t len) const;
    bool write_memory(uint64_t address, const void* src, size_t len);  // a debugger's poke

    // Runs from `rip` until a hook stops it, `count` instructions (0 = no limit) ran, or
    // `timeout_us` (0 = none) passed. Returns the engine's verdict.
    uc_err run(uint64_t rip, uint64_t count = 0, uint64_t timeout_us = 0);
    void stop();  // from a hook, on the thread running the engine
    // From any other thread while run() is in progress (a watchdog). The engine
    // takes a stop from another thread in two steps and skips code hooks in
    // between (docs/carrier.md item 16), so the stop is made by a signal handler
    // on the running thread. Does nothing when no run is in progress.
    void stop_from_another_thread();
    void flush_tlb();  // after the kernel model removes or downgrades a mapping
    void flush_translations();  // drop every translated block (costly: docs/carrier.md item 15)
    // Drops the translated blocks of [begin, end), which lies in one engine mapping.
    // The engine finds them through a page walk from `begin`: its page must be
    // present in the current page tables, or nothing is dropped.
    void forget_translations(uint64_t begin, uint64_t end);

    // Tells the engine the exception it just reported was delivered. QEMU keeps the
    // last exception to detect double faults and clears it only when it delivers
    // through the IDT, which Unicorn never does (unicorn#1883): without this, the
    // second fault of a run arrives as #DF. False when the field could not be located.
    bool forget_exception();

    // Hooks: the callables live as long as the Hook.
    using CodeFn = void (*)(uc_engine*, uint64_t, uint32_t, void*);
    Hook hook_code(CodeFn fn, void* user, uint64_t begin, uint64_t end);
    Hook hook_syscall(void (*fn)(uc_engine*, void*), void* user);
    Hook hook_out(void (*fn)(uc_engine*, uint32_t port, int size, uint32_t value, void*), void* user);
    Hook hook_interrupt(void (*fn)(uc_engine*, uint32_t intno, void*), void* user);
    Hook hook_invalid(bool (*fn)(uc_engine*, void*), void* user);
    Hook hook_unmapped(bool (*fn)(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void*), void* user);

    uc_engine* engine() const { return uc_.get(); }

private:
    void locate_exception_memory();
    void read_batch(const int* ids, uint64_t* out, size_t n) const;
    void write_batch(const int* ids, const uint64_t* in, size_t n);
    struct Close { void operator()(uc_engine* uc) const noexcept { uc_close(uc); } };
    struct FreeContext { void operator()(uc_context* c) const noexcept { uc_context_free(c); } };
    std::unique_ptr<uc_engine, Close> uc_;
    std::unique_ptr<uc_context, FreeContext> scratch_context_;
    std::optional<size_t> exception_memory_;  // where old_exception sits in a saved context
    struct RunningThread;
    std::unique_ptr<RunningThread> running_;  // who runs the engine now, for stop_from_another_thread
};

}  // namespace sysentry
