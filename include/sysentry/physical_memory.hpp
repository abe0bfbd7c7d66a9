// The guest-physical RAM that holds page tables. The engine's page walker reads
// PML4/PDPT/PD/PT entries from real physical addresses, so these frames live in
// one host mapping placed at a fixed physical window (see guest_ranges.hpp for
// why everything else is addressed virtually).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sysentry/guest_ranges.hpp"

namespace sysentry {

class Cpu;

// 960 GiB: inside the CPU's 40 physical address bits, far from where programs
// map anything; the window is reserved in every user address space.
constexpr uint64_t kPageTableRamBase = 0xf000000000;

class PhysicalMemory {
public:
    explicit PhysicalMemory(uint64_t bytes) : block_(bytes) {}  // pages cost host memory once touched
    PhysicalMemory(const PhysicalMemory&) = delete;
    PhysicalMemory& operator=(const PhysicalMemory&) = delete;

    void attach(Cpu& cpu);  // map into the engine at kPageTableRamBase

    std::optional<uint64_t> allocate_frame();  // a zeroed 4 KiB frame
    void free_frame(uint64_t phys);

    uint8_t* host(uint64_t phys) const { return block_.data() + (phys - kPageTableRamBase); }
    uint64_t size() const { return block_.size(); }
    uint64_t frames_in_use() const { return in_use_; }
    static bool overlaps(uint64_t va, uint64_t len, uint64_t size) {
        return va < kPageTableRamBase + size && kPageTableRamBase < va + len;
    }

private:
    HostBlock block_;
    uint64_t next_ = 0;  // bump offset for never-used frames
    uint64_t in_use_ = 0;
    std::vector<uint64_t> free_;
};

}  // namespace sysentry
