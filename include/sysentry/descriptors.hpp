// Encoders and a decoder for x86-64 descriptors: GDT segments, the 64-bit TSS
// descriptor, call gates and IDT gates (SDM vol. 3A, 3.4.5 and 6.14).
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace sysentry {

// Access-byte fields.
constexpr uint8_t kDescPresent = 0x80;
constexpr uint8_t kDescCodeOrData = 0x10;  // S: not a system descriptor
constexpr uint8_t kDescExecutable = 0x08;
constexpr uint8_t kDescReadWrite = 0x02;   // readable code / writable data
constexpr uint8_t kDescAccessed = 0x01;
constexpr uint8_t dpl_bits(unsigned dpl) { return uint8_t(dpl << 5); }
// System types.
constexpr uint8_t kTypeTss64Available = 0x9, kTypeTss64Busy = 0xB;
constexpr uint8_t kTypeCallGate64 = 0xC, kTypeInterruptGate64 = 0xE, kTypeTrapGate64 = 0xF;
// Flags nibble (bits 52..55).
constexpr uint8_t kFlagGranularity4K = 0x8, kFlagDefault32 = 0x4, kFlagLong = 0x2;

// A flat 4 GiB code or data segment, as Linux's GDT_ENTRY_INIT builds them.
uint64_t code_segment(unsigned dpl, bool long_mode);
uint64_t data_segment(unsigned dpl);
// 16-byte system descriptors, as two GDT/IDT slots (low, high).
std::array<uint64_t, 2> tss_descriptor(uint64_t base, uint32_t limit, bool busy);
std::array<uint64_t, 2> call_gate(uint16_t selector, uint64_t offset, unsigned dpl);
std::array<uint64_t, 2> idt_gate(uint16_t selector, uint64_t offset, unsigned dpl, uint8_t type);

struct DecodedDescriptor {
    bool present;
    bool system;            // TSS, gate, LDT
    uint8_t type;           // 4-bit type field
    unsigned dpl;
    uint64_t base;          // segment base, or gate offset
    uint32_t limit;         // in bytes (granularity applied)
    uint16_t gate_selector; // for gates
    bool long_mode, default32, granularity;
    std::string summary() const;  // "64-bit code, DPL 0, execute/read" ...
};
// `high` is the next slot, used by 16-byte system descriptors.
DecodedDescriptor decode_descriptor(uint64_t low, uint64_t high);

// The 64-bit TSS (SDM figure 8-11).
#pragma pack(push, 1)
struct Tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;  // past the limit: no I/O bitmap, so ring-3 I/O is #GP
};
#pragma pack(pop)
static_assert(sizeof(Tss64) == 104);

}  // namespace sysentry
