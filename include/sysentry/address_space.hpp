// A process's user half: its page tables and the areas (VMAs) it may use.
// Pages arrive on first touch (demand paging), so reserving memory is free
// and only what the guest touches costs RAM.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "sysentry/guest_ranges.hpp"
#include "sysentry/page_tables.hpp"
#include "sysentry/physical_memory.hpp"
#include "sysentry/user_memory.hpp"

namespace sysentry {

struct Vma {
    uint64_t start, end;  // [start, end), page aligned
    int prot;             // PROT_READ | PROT_WRITE | PROT_EXEC
    std::string name;     // "[heap]", "[stack]", a file path, or "" for anonymous
};

// Linux's no-ASLR layout for x86-64 (arch/x86/mm/mmap.c, fs/binfmt_elf.c).
constexpr uint64_t kStackTop = 0x7ffffffff000;      // TASK_SIZE_MAX: the guard page above stays unmapped
constexpr uint64_t kStackReserve = 8ull << 20;      // RLIMIT_STACK's default
constexpr uint64_t kMmapBase = 0x7ffff7fff000;      // TASK_SIZE - (128 MiB gap), page aligned
constexpr uint64_t kMmapMin = 0x10000;              // vm.mmap_min_addr

class AddressSpace final : public UserMemory {
public:
    static std::optional<AddressSpace> create(Cpu& cpu, PhysicalMemory& ram, const PageTables& kernel);
    AddressSpace(AddressSpace&& o) noexcept;
    AddressSpace& operator=(AddressSpace&& o) noexcept;  // execve: the old space goes
    // fork: a copy of every area and of every page the parent has touched.
    std::optional<AddressSpace> fork(Cpu& cpu, const PageTables& kernel) const;
    ~AddressSpace() override;

    uint64_t cr3() const { return pt_->cr3(); }
    // Mirror this process's memory into the engine (it becomes current) or withdraw it,
    // with the code the engine translated from it (forget_code).
    void attach() { ranges_.attach(); }
    void detach();
    const std::map<uint64_t, Vma>& areas() const { return vmas_; }
    uint64_t mapped_bytes() const;  // the sum of all areas: what RLIMIT_AS limits

    // mmap's core: `addr` is a hint unless `fixed`. Returns the address or -errno.
    int64_t map(uint64_t addr, uint64_t len, int prot, bool fixed, std::string name = "");
    int unmap(uint64_t addr, uint64_t len);     // 0 or -errno
    // mremap: shrink, grow in place, or (may_move) move with the contents. The new address or -errno.
    int64_t remap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, bool may_move);
    int protect(uint64_t addr, uint64_t len, int prot);
    uint64_t brk(uint64_t requested);           // Linux's sys_brk: the new (or unchanged) break
    void set_brk_start(uint64_t start) { brk_start_ = brk_ = start; }
    uint64_t brk_start() const { return brk_start_; }

    // A user-mode fault at `va`: true when demand paging served it (a page not yet
    // present in an area). A fault on a present page is a protection fault.
    bool handle_fault(uint64_t va);
    // MADV_DONTNEED: the pages' contents go; they read as zero again.
    int discard(uint64_t addr, uint64_t len);
    const Vma* find(uint64_t va) const;
    bool present(uint64_t va) const { return pt_->lookup(va).has_value(); }

    // copy_from_user / copy_to_user: fault pages in, honour protections.
    bool read(uint64_t va, void* dst, size_t len) const override;
    bool write(uint64_t va, const void* src, size_t len) override;
    // Writes regardless of PROT_WRITE (the ELF loader filling text).
    bool poke(uint64_t va, std::span<const uint8_t> bytes);

private:
    AddressSpace(Cpu& cpu, PhysicalMemory& ram, PageTables pt)
        : ram_(&ram), pt_(std::move(pt)), ranges_(cpu) {}
    bool populate(uint64_t page, const Vma& vma);
    bool ensure(uint64_t va, size_t len, bool write, bool force) const;
    void drop_pages(uint64_t start, uint64_t end);
    void forget_code(uint64_t start, uint64_t end);
    void split_at(uint64_t addr);
    std::optional<uint64_t> find_gap(uint64_t len) const;
    bool range_free(uint64_t start, uint64_t end) const;
    bool add_area(uint64_t start, uint64_t end, int prot, std::string name);
    void release();

    PhysicalMemory* ram_;
    std::optional<PageTables> pt_;
    RangeMap ranges_;  // what backs each area, at its virtual address
    std::map<uint64_t, Vma> vmas_;  // keyed by start
    uint64_t brk_start_ = 0, brk_ = 0;
};

PageFlags page_flags(int prot);

}  // namespace sysentry
