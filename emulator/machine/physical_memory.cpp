#include "sysentry/physical_memory.hpp"

#include "sysentry/cpu.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

void PhysicalMemory::attach(Cpu& cpu) { cpu.map_ram(kPageTableRamBase, block_.data(), block_.size()); }

std::optional<uint64_t> PhysicalMemory::allocate_frame() {
    uint64_t offset;
    if (!free_.empty()) {
        offset = free_.back();
        free_.pop_back();
    } else if (next_ + x86::kPageSize <= size()) {
        offset = next_;
        next_ += x86::kPageSize;
    } else {
        return std::nullopt;
    }
    ++in_use_;
    return kPageTableRamBase + offset;
}

void PhysicalMemory::free_frame(uint64_t phys) {
    uint64_t offset = phys - kPageTableRamBase;
    block_.discard(offset, x86::kPageSize);  // reads as zero on reuse
    free_.push_back(offset);
    --in_use_;
}

}  // namespace sysentry
