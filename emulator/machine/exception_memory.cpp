// Finds where Unicorn 2.0.1 keeps QEMU's `old_exception` inside a saved CPU
// context, by experiment rather than by a hard-coded offset: a throwaway engine
// takes one #DE; the only 32-bit field that goes from -1 to 0 is the one. A
// second #DE after resetting it must then arrive as #DE, not #DF.
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "sysentry/cpu.hpp"

namespace sysentry {

namespace {

constexpr uint64_t kCodePage = 0x1000;
constexpr uint8_t kDivEcxTwice[] = {0xf7, 0xf1, 0xf7, 0xf1};  // div %ecx, with ecx = 0

struct Probe {
    uint32_t vector = ~0u;
};

void on_probe_interrupt(uc_engine* uc, uint32_t intno, void* user) {
    auto* p = static_cast<Probe*>(user);
    p->vector = intno;
    uc_emu_stop(uc);
}

std::vector<uint8_t> snapshot(uc_engine* uc, uc_context* ctx) {
    uc_context_save(uc, ctx);
    std::vector<uint8_t> bytes(uc_context_size(uc));
    std::memcpy(bytes.data(), ctx, bytes.size());
    return bytes;
}

void write_minus_one(uc_engine* uc, uc_context* ctx, size_t offset) {
    uc_context_save(uc, ctx);
    int32_t minus_one = -1;
    std::memcpy(reinterpret_cast<uint8_t*>(ctx) + offset, &minus_one, sizeof minus_one);
    uc_context_restore(uc, ctx);
}

struct ContextDeleter {
    void operator()(uc_context* c) const noexcept { uc_context_free(c); }
};
using Context = std::unique_ptr<uc_context, ContextDeleter>;

Context new_context(uc_engine* uc) {
    uc_context* c = nullptr;
    uc_context_alloc(uc, &c);
    return Context(c);
}

// The probe itself: two #DE on a private page. Returns the offset, verified.
std::optional<size_t> probe_twice(uc_engine* uc, uc_context* scratch) {
    Probe probe;
    uc_hook h;
    uc_hook_add(uc, &h, UC_HOOK_INTR, reinterpret_cast<void*>(on_probe_interrupt), &probe, 1, 0);
    auto before = snapshot(uc, scratch);
    uc_emu_start(uc, kCodePage, 0, 0, 0);
    auto after = snapshot(uc, scratch);
    std::optional<size_t> found;
    int matches = 0;
    for (size_t i = 0; i + 4 <= before.size(); i += 4) {
        int32_t a, b;
        std::memcpy(&a, &before[i], 4);
        std::memcpy(&b, &after[i], 4);
        if (a == -1 && b == 0 && probe.vector == 0) found = i, ++matches;
    }
    if (matches != 1) found.reset();
    if (found) {  // with the field reset, the next #DE must stay a #DE
        write_minus_one(uc, scratch, *found);
        uint64_t rip = kCodePage + 2;
        uc_reg_write(uc, UC_X86_REG_RIP, &rip);
        probe.vector = ~0u;
        uc_emu_start(uc, rip, 0, 0, 0);
        if (probe.vector != 0) found.reset();
    }
    uc_hook_del(uc, h);
    return found;
}

// Runs on `uc` itself before anything else is mapped, and leaves its
// registers as they were (a throwaway engine would cost a second uc_open).
std::optional<size_t> locate(uc_engine* uc) {
    // The first uc_mem_map initialises the CPU (old_exception = -1); save after it,
    // or restoring would bring back the zero that reads as a pending #DE.
    uc_mem_map(uc, kCodePage, 0x1000, UC_PROT_ALL);
    uc_mem_write(uc, kCodePage, kDivEcxTwice, sizeof kDivEcxTwice);
    Context pristine = new_context(uc), scratch = new_context(uc);
    if (!pristine || !scratch) return std::nullopt;
    uc_context_save(uc, pristine.get());
    std::optional<size_t> found = probe_twice(uc, scratch.get());
    uc_mem_unmap(uc, kCodePage, 0x1000);
    uc_context_restore(uc, pristine.get());
    if (found) write_minus_one(uc, scratch.get(), *found);
    return found;
}

}  // namespace

void Cpu::locate_exception_memory() { exception_memory_ = locate(uc_.get()); }

bool Cpu::forget_exception() {
    const std::optional<size_t>& offset = exception_memory_;
    if (!offset) return false;
    if (!scratch_context_) {
        uc_context* c = nullptr;
        if (uc_context_alloc(uc_.get(), &c) != UC_ERR_OK) return false;
        scratch_context_.reset(c);
    }
    write_minus_one(uc_.get(), scratch_context_.get(), *offset);
    return true;
}

}  // namespace sysentry
