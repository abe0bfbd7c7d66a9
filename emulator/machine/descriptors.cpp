#include "sysentry/descriptors.hpp"

#include <fmt/format.h>

namespace sysentry {

// Packs base/limit/access/flags into the legacy 8-byte layout.
static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
    return (uint64_t(limit) & 0xffff) | (uint64_t(base & 0xffffff) << 16) | (uint64_t(access) << 40) |
           (uint64_t((limit >> 16) & 0xf) << 48) | (uint64_t(flags & 0xf) << 52) |
           (uint64_t(base >> 24) << 56);
}

uint64_t code_segment(unsigned dpl, bool long_mode) {
    uint8_t access = kDescPresent | dpl_bits(dpl) | kDescCodeOrData | kDescExecutable |
                     kDescReadWrite | kDescAccessed;
    uint8_t flags = kFlagGranularity4K | (long_mode ? kFlagLong : kFlagDefault32);
    return segment(0, 0xfffff, access, flags);
}

uint64_t data_segment(unsigned dpl) {
    uint8_t access = kDescPresent | dpl_bits(dpl) | kDescCodeOrData | kDescReadWrite | kDescAccessed;
    return segment(0, 0xfffff, access, kFlagGranularity4K | kFlagDefault32);
}

std::array<uint64_t, 2> tss_descriptor(uint64_t base, uint32_t limit, bool busy) {
    uint8_t access = kDescPresent | (busy ? kTypeTss64Busy : kTypeTss64Available);
    return {segment(uint32_t(base), limit, access, 0), base >> 32};
}

static std::array<uint64_t, 2> gate(uint16_t selector, uint64_t offset, unsigned dpl, uint8_t type) {
    uint64_t low = (offset & 0xffff) | (uint64_t(selector) << 16) |
                   (uint64_t(kDescPresent | dpl_bits(dpl) | type) << 40) |
                   (((offset >> 16) & 0xffff) << 48);
    return {low, offset >> 32};
}

std::array<uint64_t, 2> call_gate(uint16_t selector, uint64_t offset, unsigned dpl) {
    return gate(selector, offset, dpl, kTypeCallGate64);
}

std::array<uint64_t, 2> idt_gate(uint16_t selector, uint64_t offset, unsigned dpl, uint8_t type) {
    return gate(selector, offset, dpl, type);
}

DecodedDescriptor decode_descriptor(uint64_t low, uint64_t high) {
    DecodedDescriptor d{};
    uint8_t access = uint8_t(low >> 40);
    uint8_t flags = uint8_t(low >> 52) & 0xf;
    d.present = access & kDescPresent;
    d.system = !(access & kDescCodeOrData);
    d.type = access & 0xf;
    d.dpl = (access >> 5) & 3;
    d.granularity = flags & kFlagGranularity4K;
    d.long_mode = flags & kFlagLong;
    d.default32 = flags & kFlagDefault32;
    bool is_gate = d.system && (d.type == kTypeCallGate64 || d.type == kTypeInterruptGate64 ||
                                d.type == kTypeTrapGate64);
    if (is_gate) {
        d.gate_selector = uint16_t(low >> 16);
        d.base = (low & 0xffff) | (((low >> 48) & 0xffff) << 16) | (high << 32);
        return d;
    }
    d.base = ((low >> 16) & 0xffffff) | ((low >> 56) << 24);
    if (d.system) d.base |= high << 32;
    uint32_t raw_limit = uint32_t(low & 0xffff) | (uint32_t((low >> 48) & 0xf) << 16);
    d.limit = d.granularity ? (raw_limit << 12) | 0xfff : raw_limit;
    return d;
}

std::string DecodedDescriptor::summary() const {
    if (!present) return "not present";
    if (system) {
        switch (type) {
        case kTypeTss64Available: return fmt::format("64-bit TSS (available), base {:#x}, limit {:#x}", base, limit);
        case kTypeTss64Busy: return fmt::format("64-bit TSS (busy), base {:#x}, limit {:#x}", base, limit);
        case kTypeCallGate64: return fmt::format("64-bit call gate, DPL {}, to {:#06x}:{:#x}", dpl, gate_selector, base);
        case kTypeInterruptGate64: return fmt::format("64-bit interrupt gate, DPL {}, to {:#06x}:{:#x}", dpl, gate_selector, base);
        case kTypeTrapGate64: return fmt::format("64-bit trap gate, DPL {}, to {:#06x}:{:#x}", dpl, gate_selector, base);
        default: return fmt::format("system descriptor type {:#x}", type);
        }
    }
    bool code = type & kDescExecutable;
    const char* width = code ? (long_mode ? "64-bit" : (default32 ? "32-bit" : "16-bit")) : "";
    return fmt::format("{}{}{}, DPL {}, base {:#x}, limit {:#x}", width, code ? " code" : "data",
                       code ? ((type & kDescReadWrite) ? ", execute/read" : ", execute-only")
                            : ((type & kDescReadWrite) ? ", read/write" : ", read-only"),
                       dpl, base, limit);
}

}  // namespace sysentry
