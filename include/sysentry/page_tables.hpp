// One 4-level page-table hierarchy (one CR3), kept in guest-physical frames so
// the engine walks exactly what the kernel model wrote. On Unicorn 2.0.1 the
// walk decides presence and permissions (#PF, U/S, R/W); the data itself sits
// at the virtual address (guest_ranges.hpp), so leaf entries carry no frame.
#pragma once
#include <cstdint>
#include <optional>

#include "sysentry/guest_ranges.hpp"
#include "sysentry/physical_memory.hpp"
#include "sysentry/user_memory.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

struct PageFlags {
    bool writable = false, user = false, executable = false;
    uint64_t pte_bits() const;
};

class PageTables {
public:
    // A fresh hierarchy. With `kernel_half` given, PML4 entries 256..511 are
    // shared with it, as every Linux process shares the kernel's mappings.
    static std::optional<PageTables> create(PhysicalMemory& ram, const PageTables* kernel_half);
    PageTables(PageTables&&) = default;
    PageTables& operator=(PageTables&&) = default;

    uint64_t cr3() const { return root_; }

    // Gives PML4 slot `slot` its PDPT, so copies of this PML4 share what comes later.
    bool populate_pml4_slot(unsigned slot);
    bool map(uint64_t va, PageFlags flags);  // false when a table frame cannot be had
    bool unmap(uint64_t va);                 // false when nothing was mapped
    bool protect(uint64_t va, PageFlags flags);
    // The permissions the walk grants at `va` (all levels combined), if present.
    std::optional<PageFlags> lookup(uint64_t va) const;
    // Frees every user-half table (exit, execve).
    void release_user_half();
    void release();  // every table, the root included

private:
    PageTables(PhysicalMemory& ram, uint64_t root) : ram_(&ram), root_(root) {}
    uint64_t* table(uint64_t phys) const { return reinterpret_cast<uint64_t*>(ram_->host(phys)); }
    uint64_t* walk(uint64_t va, int stop_level, bool create, bool user);
    void release_table(uint64_t phys, int level);

    PhysicalMemory* ram_;
    uint64_t root_;
};

// Virtual memory through one hierarchy and the ranges that back it. As `user`
// memory (copy_from_user's view) only user pages are reachable; as kernel
// memory, every present page is.
class PagedMemory final : public UserMemory {
public:
    enum class View { user, kernel };
    PagedMemory(const PageTables& pt, const RangeMap& ranges, View view)
        : pt_(pt), ranges_(ranges), view_(view) {}
    bool read(uint64_t va, void* dst, size_t len) const override;
    bool write(uint64_t va, const void* src, size_t len) override;

private:
    template <class Fn> bool for_each_page(uint64_t va, size_t len, bool for_write, Fn fn) const;
    const PageTables& pt_;
    const RangeMap& ranges_;
    View view_;
};

}  // namespace sysentry
