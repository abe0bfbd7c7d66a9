#include "sysentry/physical_memory.hpp"

#include <sys/mman.h>

#include <new>

#include "sysentry/cpu.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

PhysicalMemory::PhysicalMemory(uint64_t bytes) : size_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    base_ = static_cast<uint8_t*>(p);
}

PhysicalMemory::~PhysicalMemory() { munmap(base_, size_); }

void PhysicalMemory::attach(Cpu& cpu) { cpu.map_ram(kPageTableRamBase, base_, size_); }

std::optional<uint64_t> PhysicalMemory::allocate_frame() {
    uint64_t offset;
    if (!free_.empty()) {
        offset = free_.back();
        free_.pop_back();
    } else if (next_ + x86::kPageSize <= size_) {
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
    madvise(base_ + offset, x86::kPageSize, MADV_DONTNEED);  // reads as zero on reuse
    free_.push_back(offset);
    --in_use_;
}

}  // namespace sysentry
