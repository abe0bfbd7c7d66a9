#include "sysentry/address_space.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace sysentry {

using x86::kPageSize;

static uint64_t page_down(uint64_t v) { return v & ~(kPageSize - 1); }
static uint64_t page_up(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

PageFlags page_flags(int prot) {
    return {bool(prot & PROT_WRITE), true, bool(prot & PROT_EXEC)};
}

std::optional<AddressSpace> AddressSpace::create(Cpu& cpu, PhysicalMemory& ram, const PageTables& kernel) {
    auto pt = PageTables::create(ram, &kernel);
    if (!pt) return std::nullopt;
    return AddressSpace(cpu, ram, std::move(*pt));
}

AddressSpace::AddressSpace(AddressSpace&& o) noexcept
    : ram_(o.ram_), pt_(std::exchange(o.pt_, std::nullopt)), ranges_(std::move(o.ranges_)),
      vmas_(std::move(o.vmas_)), brk_start_(o.brk_start_), brk_(o.brk_) {}

void AddressSpace::release() {
    detach();
    ranges_.clear();
    if (pt_) pt_->release();
    pt_.reset();
}

AddressSpace& AddressSpace::operator=(AddressSpace&& o) noexcept {
    if (this != &o) {
        release();
        ram_ = o.ram_;
        pt_ = std::exchange(o.pt_, std::nullopt);
        ranges_ = std::move(o.ranges_);
        vmas_ = std::move(o.vmas_);
        brk_start_ = o.brk_start_;
        brk_ = o.brk_;
    }
    return *this;
}

AddressSpace::~AddressSpace() { release(); }

std::optional<AddressSpace> AddressSpace::fork(Cpu& cpu, const PageTables& kernel) const {
    auto child = create(cpu, *ram_, kernel);
    if (!child) return std::nullopt;
    for (const auto& [start, v] : vmas_) {
        if (!child->add_area(v.start, v.end, v.prot, v.name)) return std::nullopt;
        for (uint64_t page = v.start; page < v.end; page += kPageSize) {
            if (!pt_->lookup(page)) continue;  // never touched: the child starts it fresh too
            if (!child->populate(page, v)) return std::nullopt;
            std::memcpy(child->ranges_.host(page), ranges_.host(page), kPageSize);
        }
    }
    child->brk_start_ = brk_start_;
    child->brk_ = brk_;
    return child;
}

uint64_t AddressSpace::mapped_bytes() const {
    uint64_t total = 0;
    for (const auto& [start, v] : vmas_) total += v.end - v.start;
    return total;
}

const Vma* AddressSpace::find(uint64_t va) const {
    auto it = vmas_.upper_bound(va);
    if (it == vmas_.begin()) return nullptr;
    --it;
    return va < it->second.end ? &it->second : nullptr;
}

bool AddressSpace::range_free(uint64_t start, uint64_t end) const {
    if (PhysicalMemory::overlaps(start, end - start, ram_->size())) return false;  // the page-table window
    auto it = vmas_.lower_bound(start);
    if (it != vmas_.end() && it->first < end) return false;
    if (it != vmas_.begin() && std::prev(it)->second.end > start) return false;
    return true;
}

// Top-down from kMmapBase, as Linux's default mmap layout.
std::optional<uint64_t> AddressSpace::find_gap(uint64_t len) const {
    uint64_t end = kMmapBase;
    for (auto it = vmas_.rbegin(); it != vmas_.rend(); ++it) {
        const Vma& v = it->second;
        if (v.start >= end) continue;
        if (v.end <= end && end - v.end >= len && range_free(end - len, end)) return end - len;
        end = v.start;
    }
    if (end >= kMmapMin + len && range_free(end - len, end)) return end - len;
    return std::nullopt;
}

void AddressSpace::split_at(uint64_t addr) {
    auto it = vmas_.upper_bound(addr);
    if (it == vmas_.begin()) return;
    --it;
    Vma& v = it->second;
    if (addr <= v.start || addr >= v.end) return;
    Vma tail = v;
    tail.start = addr;
    v.end = addr;
    vmas_.emplace(addr, tail);
}

void AddressSpace::drop_pages(uint64_t start, uint64_t end) {
    for (uint64_t va = start; va < end; va += kPageSize)
        if (pt_->lookup(va)) pt_->unmap(va);
}

// Unicorn 2.0.1 finds translated code by the place of its RAM block, and gives a
// freed block's place to the next block mapped (docs/carrier.md item 15). So
// before code pages leave the engine, or change behind its back, their
// translations go: only those, as a full flush costs up to seconds. Only the
// attached (current) space has translations to drop, and the engine looks them
// up through a page walk, so each range's first present page anchors the drop.
// Code the guest runs from areas without PROT_EXEC (no NX here) is not covered.
void AddressSpace::forget_code(uint64_t start, uint64_t end) {
    if (!ranges_.attached() || !pt_) return;
    auto it = vmas_.upper_bound(start);
    if (it != vmas_.begin()) --it;
    for (; it != vmas_.end() && it->first < end; ++it) {
        const Vma& v = it->second;
        if (!(v.prot & PROT_EXEC)) continue;
        for (uint64_t va = std::max(v.start, start), stop = std::min(v.end, end); va < stop;) {
            size_t run = 0;
            if (!ranges_.host(va, &run)) break;
            uint64_t range_end = std::min<uint64_t>(stop, va + run);
            while (va < range_end && !pt_->lookup(va)) va += kPageSize;
            ranges_.forget_code(va, range_end - std::min(va, range_end));
            va = range_end;
        }
    }
}

void AddressSpace::detach() {
    forget_code(0, ~uint64_t{0});
    ranges_.detach();
}

bool AddressSpace::add_area(uint64_t start, uint64_t end, int prot, std::string name) {
    if (!ranges_.map(start, end - start)) return false;
    vmas_.emplace(start, Vma{start, end, prot, std::move(name)});
    return true;
}

int64_t AddressSpace::map(uint64_t addr, uint64_t len, int prot, bool fixed, std::string name) {
    if (len == 0) return -EINVAL;
    len = page_up(len);
    if (len == 0 || len > kStackTop) return -ENOMEM;
    if (fixed) {
        if (addr & (kPageSize - 1)) return -EINVAL;
        if (addr > kStackTop - len) return -ENOMEM;  // past TASK_SIZE, as get_unmapped_area says
        if (addr < kMmapMin) return -EPERM;          // below vm.mmap_min_addr
        if (PhysicalMemory::overlaps(addr, len, ram_->size())) return -ENOMEM;
        unmap(addr, len);
    } else {
        addr = page_down(addr);
        bool hint_ok = addr >= kMmapMin && addr <= kStackTop - len && range_free(addr, addr + len);
        if (!hint_ok) {
            auto gap = find_gap(len);
            if (!gap) return -ENOMEM;
            addr = *gap;
        }
    }
    return add_area(addr, addr + len, prot, std::move(name)) ? int64_t(addr) : -ENOMEM;
}

int AddressSpace::unmap(uint64_t addr, uint64_t len) {
    if ((addr & (kPageSize - 1)) || len == 0) return -EINVAL;
    uint64_t end = page_up(addr + len);
    if (end < addr || end > (1ull << 47)) return -EINVAL;
    split_at(addr);
    split_at(end);
    forget_code(addr, end);
    for (auto it = vmas_.lower_bound(addr); it != vmas_.end() && it->first < end;) {
        drop_pages(it->second.start, it->second.end);
        ranges_.unmap(it->second.start, it->second.end - it->second.start);
        it = vmas_.erase(it);
    }
    return 0;
}

int64_t AddressSpace::remap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool may_move) {
    if ((old_addr & (kPageSize - 1)) || new_len == 0) return -EINVAL;
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    const Vma* v = find(old_addr);
    if (!v || old_addr + old_len > v->end) return -EFAULT;  // the old range must be one mapping
    if (new_len <= old_len) {
        if (new_len < old_len) unmap(old_addr + new_len, old_len - new_len);
        return int64_t(old_addr);
    }
    const int prot = v->prot;
    const std::string name = v->name;
    if (old_addr + old_len == v->end && range_free(v->end, old_addr + new_len) && old_addr + new_len <= kStackTop) {
        add_area(v->end, old_addr + new_len, prot, name);  // grow in place
        return int64_t(old_addr);
    }
    if (!may_move) return -ENOMEM;
    int64_t to = map(0, new_len, prot, false, name);
    if (to < 0) return to;
    std::vector<uint8_t> page(kPageSize);
    for (uint64_t off = 0; off < old_len; off += kPageSize) {
        if (!pt_->lookup(old_addr + off)) continue;  // never touched: zero in the new place too
        std::memcpy(page.data(), ranges_.host(old_addr + off), kPageSize);
        poke(uint64_t(to) + off, page);
    }
    unmap(old_addr, old_len);
    return to;
}

int AddressSpace::discard(uint64_t addr, uint64_t len) {
    if (addr & (kPageSize - 1)) return -EINVAL;
    for (uint64_t va = addr; va < addr + len;) {  // every page must be mapped, as Linux requires
        const Vma* v = find(va);
        if (!v) return -ENOMEM;
        va = v->end;
    }
    forget_code(addr, page_up(addr + len));  // the pages read as zero again
    ranges_.discard(addr, page_up(addr + len) - addr);
    return 0;
}

int AddressSpace::protect(uint64_t addr, uint64_t len, int prot) {
    if (addr & (kPageSize - 1)) return -EINVAL;
    uint64_t end = page_up(addr + len);
    if (end < addr) return -ENOMEM;
    for (uint64_t va = addr; va < end;) {  // every page must be mapped, as Linux requires
        const Vma* v = find(va);
        if (!v) return -ENOMEM;
        va = v->end;
    }
    split_at(addr);
    split_at(end);
    if (!(prot & PROT_EXEC)) forget_code(addr, end);  // while the pages are still there to anchor it
    for (auto it = vmas_.lower_bound(addr); it != vmas_.end() && it->first < end; ++it) {
        it->second.prot = prot;
        for (uint64_t va = it->second.start; va < it->second.end; va += kPageSize) {
            if (!pt_->lookup(va)) continue;
            if (prot == PROT_NONE) drop_pages(va, va + kPageSize);  // contents stay in the range
            else pt_->protect(va, page_flags(prot));
        }
    }
    return 0;
}

uint64_t AddressSpace::brk(uint64_t requested) {
    if (requested < brk_start_) return brk_;
    uint64_t old_end = page_up(brk_), new_end = page_up(requested);
    if (new_end > old_end) {
        if (!range_free(old_end, new_end) || !add_area(old_end, new_end, PROT_READ | PROT_WRITE, "[heap]"))
            return brk_;
    } else if (new_end < old_end) {
        unmap(new_end, old_end - new_end);
    }
    brk_ = requested;
    return brk_;
}

bool AddressSpace::populate(uint64_t page, const Vma& vma) {
    return pt_->map(page, page_flags(vma.prot));
}

bool AddressSpace::handle_fault(uint64_t va) {
    const Vma* v = find(va);
    if (!v || v->prot == PROT_NONE) return false;
    if (pt_->lookup(va)) return false;  // present: a protection fault, not ours to fix
    return populate(page_down(va), *v);
}

// Faults in [va, va+len) as the kernel's copy routines would; `force` ignores PROT_WRITE.
bool AddressSpace::ensure(uint64_t va, size_t len, bool write, bool force) const {
    auto* self = const_cast<AddressSpace*>(this);  // faulting in does not change contents
    if (len == 0) return true;
    if (va + len < va || va + len > kStackTop + kPageSize) return false;
    for (uint64_t page = page_down(va); page < va + len; page += kPageSize) {
        const Vma* v = find(page);
        if (!v || v->prot == PROT_NONE) return false;
        if (write && !force && !(v->prot & PROT_WRITE)) return false;
        if (!pt_->lookup(page) && !self->populate(page, *v)) return false;
    }
    return true;
}

bool AddressSpace::read(uint64_t va, void* dst, size_t len) const {
    if (!ensure(va, len, false, false)) return false;
    return PagedMemory(*pt_, ranges_, PagedMemory::View::user).read(va, dst, len);
}

bool AddressSpace::write(uint64_t va, const void* src, size_t len) {
    if (!ensure(va, len, true, false)) return false;
    return PagedMemory(*pt_, ranges_, PagedMemory::View::user).write(va, src, len);
}

// The loader writes text and read-only data: straight into the backing, past PROT_WRITE.
bool AddressSpace::poke(uint64_t va, std::span<const uint8_t> bytes) {
    if (!ensure(va, bytes.size(), true, true)) return false;
    for (size_t done = 0; done < bytes.size();) {
        size_t run = 0;
        uint8_t* p = ranges_.host(va + done, &run);
        if (!p) return false;
        size_t n = std::min(run, bytes.size() - done);
        std::memcpy(p, bytes.data() + done, n);
        done += n;
    }
    return true;
}

}  // namespace sysentry
