#include "sysentry/page_tables.hpp"

#include <algorithm>
#include <cstring>

namespace sysentry {

using namespace x86;

constexpr int kLevels = 4;  // PML4, PDPT, PD, PT
constexpr unsigned index_at(uint64_t va, int level) {  // level 4 = PML4 .. 1 = PT
    return unsigned(va >> (12 + 9 * (level - 1))) & 511;
}
constexpr unsigned kFirstKernelSlot = 256;  // PML4 entries 256..511 map the high half

uint64_t PageFlags::pte_bits() const {
    uint64_t nx = (kEngineHasNx && !executable) ? kPteNx : 0;
    return kPteP | (writable ? kPteW : 0) | (user ? kPteU : 0) | nx;
}

std::optional<PageTables> PageTables::create(PhysicalMemory& ram, const PageTables* kernel_half) {
    auto root = ram.allocate_frame();
    if (!root) return std::nullopt;
    PageTables pt(ram, *root);
    if (kernel_half) {
        std::memcpy(pt.table(*root) + kFirstKernelSlot, pt.table(kernel_half->root_) + kFirstKernelSlot,
                    kFirstKernelSlot * sizeof(uint64_t));
    }
    return pt;
}

// The entry at `stop_level` for `va`, creating intermediate tables on the way.
uint64_t* PageTables::walk(uint64_t va, int stop_level, bool create, bool user) {
    uint64_t phys = root_;
    for (int level = kLevels; level > stop_level; --level) {
        uint64_t& e = table(phys)[index_at(va, level)];
        if (!(e & kPteP)) {
            if (!create) return nullptr;
            auto f = ram_->allocate_frame();
            if (!f) return nullptr;
            e = *f | kPteP | kPteW;  // intermediate entries grant everything; the leaf decides
        }
        if (user) e |= kPteU;
        phys = e & kPteAddrMask;
    }
    return &table(phys)[index_at(va, stop_level)];
}

bool PageTables::populate_pml4_slot(unsigned slot) {
    uint64_t va = (slot >= kFirstKernelSlot ? 0xffff000000000000 : 0) | (uint64_t(slot) << 39);
    return walk(va, 3, true, false) != nullptr;
}

bool PageTables::map(uint64_t va, PageFlags flags) {
    uint64_t* pte = walk(va, 1, true, flags.user);
    if (!pte) return false;
    *pte = flags.pte_bits();  // no frame: the engine addresses data by VA (see header)
    return true;
}

bool PageTables::unmap(uint64_t va) {
    uint64_t* pte = walk(va, 1, false, false);
    if (!pte || !(*pte & kPteP)) return false;
    *pte = 0;
    return true;
}

bool PageTables::protect(uint64_t va, PageFlags flags) {
    uint64_t* pte = walk(va, 1, false, false);
    if (!pte || !(*pte & kPteP)) return false;
    *pte = flags.pte_bits();
    return true;
}

std::optional<PageFlags> PageTables::lookup(uint64_t va) const {
    if (!is_canonical(va)) return std::nullopt;
    uint64_t phys = root_;
    PageFlags f{true, true, true};
    for (int level = kLevels; level >= 1; --level) {
        uint64_t e = table(phys)[index_at(va, level)];
        if (!(e & kPteP)) return std::nullopt;
        f.writable &= bool(e & kPteW);
        f.user &= bool(e & kPteU);
        if (kEngineHasNx) f.executable &= !(e & kPteNx);
        if (level == 1) return f;
        phys = e & kPteAddrMask;
    }
    return std::nullopt;
}

void PageTables::release_table(uint64_t phys, int level) {
    uint64_t* t = table(phys);
    if (level > 1) {
        for (unsigned i = 0; i < 512; ++i)
            if (t[i] & kPteP) release_table(t[i] & kPteAddrMask, level - 1);
    }
    ram_->free_frame(phys);
}

void PageTables::release_user_half() {
    uint64_t* pml4 = table(root_);
    for (unsigned i = 0; i < kFirstKernelSlot; ++i) {
        if (pml4[i] & kPteP) release_table(pml4[i] & kPteAddrMask, kLevels - 1);
        pml4[i] = 0;
    }
}

void PageTables::release() {
    release_user_half();
    ram_->free_frame(root_);
}

template <class Fn>
bool PagedMemory::for_each_page(uint64_t va, size_t len, bool for_write, Fn fn) const {
    while (len > 0) {
        auto f = pt_.lookup(va);
        if (!f || (view_ == View::user && !f->user) || (for_write && !f->writable)) return false;
        size_t run = 0;
        uint8_t* host = ranges_.host(va, &run);
        if (!host) return false;
        size_t chunk = std::min<uint64_t>({uint64_t(len), kPageSize - (va & (kPageSize - 1)), uint64_t(run)});
        fn(host, chunk);
        va += chunk;
        len -= chunk;
    }
    return true;
}

bool PagedMemory::read(uint64_t va, void* dst, size_t len) const {
    auto* out = static_cast<uint8_t*>(dst);
    return for_each_page(va, len, false, [&](const uint8_t* p, size_t n) {
        std::memcpy(out, p, n);
        out += n;
    });
}

bool PagedMemory::write(uint64_t va, const void* src, size_t len) {
    auto* in = static_cast<const uint8_t*>(src);
    return for_each_page(va, len, true, [&](uint8_t* p, size_t n) {
        std::memcpy(p, in, n);
        in += n;
    });
}

}  // namespace sysentry
