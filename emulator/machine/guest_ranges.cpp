#include "sysentry/guest_ranges.hpp"

#include <sys/mman.h>

#include <new>

#include "sysentry/cpu.hpp"

namespace sysentry {

HostBlock::HostBlock(size_t size) : size_(size) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<uint8_t*>(p);
}

HostBlock::~HostBlock() { munmap(data_, size_); }

void HostBlock::discard(size_t offset, size_t len) { madvise(data_ + offset, len, MADV_DONTNEED); }

RangeMap::~RangeMap() {
    if (cpu_ && attached_) detach();
}

void RangeMap::engine_map(uint64_t va, const Range& r) {
    cpu_->map_ram(va, r.block->data() + r.offset, r.len);
}

void RangeMap::engine_unmap(uint64_t va, uint64_t len) { cpu_->unmap_ram(va, len); }

bool RangeMap::map(uint64_t va, uint64_t len) {
    auto it = ranges_.lower_bound(va);
    if (it != ranges_.end() && it->first < va + len) return false;
    if (it != ranges_.begin() && std::prev(it)->first + std::prev(it)->second.len > va) return false;
    Range r{len, std::make_shared<HostBlock>(len), 0};
    if (attached_) engine_map(va, r);
    ranges_.emplace(va, std::move(r));
    return true;
}

void RangeMap::split_at(uint64_t va) {
    auto it = ranges_.upper_bound(va);
    if (it == ranges_.begin()) return;
    --it;
    Range& r = it->second;
    if (va <= it->first || va >= it->first + r.len) return;
    uint64_t head = va - it->first;
    Range tail{r.len - head, r.block, r.offset + head};
    r.len = head;
    ranges_.emplace(va, std::move(tail));
}

void RangeMap::unmap(uint64_t va, uint64_t len) {
    split_at(va);
    split_at(va + len);
    for (auto it = ranges_.lower_bound(va); it != ranges_.end() && it->first < va + len;) {
        if (attached_) engine_unmap(it->first, it->second.len);
        it->second.block->discard(it->second.offset, it->second.len);
        it = ranges_.erase(it);
    }
}

uint8_t* RangeMap::host(uint64_t va, size_t* run) const {
    auto it = ranges_.upper_bound(va);
    if (it == ranges_.begin()) return nullptr;
    --it;
    uint64_t off = va - it->first;
    if (off >= it->second.len) return nullptr;
    if (run) *run = it->second.len - off;
    return it->second.block->data() + it->second.offset + off;
}

void RangeMap::discard(uint64_t va, uint64_t len) {
    while (len > 0) {
        size_t run = 0;
        uint8_t* p = host(va, &run);
        if (!p) return;
        size_t n = std::min<uint64_t>(run, len);
        madvise(p, n, MADV_DONTNEED);
        va += n;
        len -= n;
    }
}

void RangeMap::forget_code(uint64_t va, uint64_t len) {
    if (attached_ && len) cpu_->forget_translations(va, va + len);
}

void RangeMap::clear() {
    if (attached_)
        for (auto& [va, r] : ranges_) engine_unmap(va, r.len);
    ranges_.clear();
}

void RangeMap::attach() {
    if (attached_) return;
    for (auto& [va, r] : ranges_) engine_map(va, r);
    attached_ = true;
}

void RangeMap::detach() {
    if (!attached_) return;
    for (auto& [va, r] : ranges_) engine_unmap(va, r.len);
    attached_ = false;
}

}  // namespace sysentry
