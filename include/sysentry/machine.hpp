// The modelled PC: one CPU, its RAM, the kernel's page tables, GDT, TSS and IDT,
// and the guest kernel image mapped where Linux maps its own. Booting it and
// running programs is the kernel model's job; this is only the hardware state.
#pragma once
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>

#include "sysentry/cpu.hpp"
#include "sysentry/elf_image.hpp"
#include "sysentry/guest_ranges.hpp"
#include "sysentry/page_tables.hpp"
#include "sysentry/physical_memory.hpp"

namespace sysentry {

// Linux's x86-64 memory map (Documentation/arch/x86/x86_64/mm.rst).
constexpr uint64_t kPageOffset = 0xffff888000000000;   // the direct map, where per-CPU areas live
constexpr uint64_t kPerCpuArea = kPageOffset + (1 << 20);
constexpr uint64_t kVmallocStart = 0xffffc90000000000; // kernel stacks live here
constexpr uint64_t kKernelTextStart = 0xffffffff81000000;
constexpr uint64_t kIdtTable = kKernelTextStart + (16 << 20);  // idt_table, in the image's .bss
constexpr uint64_t kCarrierPage = 0xfffffe0000000000;  // cpu_entry_area in Linux
constexpr uint64_t kKernelStackSize = 4 * 4096;        // THREAD_SIZE with KASAN off

struct MachineConfig {
    uint64_t page_table_bytes = 256ull << 20;  // RAM for page tables
};

class Machine {
public:
    // Loads `kernel_elf` (our guest kernel) and builds every table. Errors name what failed.
    static std::expected<std::unique_ptr<Machine>, std::string> create(
        const MachineConfig& config, std::span<const uint8_t> kernel_elf);

    Cpu& cpu() { return cpu_; }
    PhysicalMemory& ram() { return ram_; }
    RangeMap& kernel_ranges() { return kernel_ranges_; }
    PageTables& kernel_tables() { return *kernel_pt_; }
    const ElfImage& kernel_image() const { return kernel_; }
    // A guest kernel symbol's address; throws if the kernel lacks it (a build error).
    uint64_t kernel_symbol(std::string_view name) const;

    uint64_t percpu() const { return percpu_; }  // virtual address of the per-CPU area
    uint32_t cpuid_1_edx() const { return cpuid_1_edx_; }  // what x86 Linux passes as AT_HWCAP
    uint64_t gdt_base() const { return gdt_; }
    uint64_t idt_base() const { return idt_; }
    uint64_t tss_base() const;
    // Kernel virtual memory: everything mapped, as ring 0 sees it.
    PagedMemory kernel_memory() const {
        return PagedMemory(*kernel_pt_, kernel_ranges_, PagedMemory::View::kernel);
    }

    // A fresh kernel stack in the vmalloc area, with an unmapped guard page below.
    std::optional<uint64_t> allocate_kernel_stack();
    // Points TSS.RSP0 and the per-CPU top-of-stack at `top` (a task switch).
    void set_kernel_stack_top(uint64_t top);

    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

private:
    explicit Machine(const MachineConfig& config);
    std::expected<void, std::string> load_kernel(std::span<const uint8_t> elf);
    std::expected<void, std::string> build_cpu_tables();
    void install_gates();
    void identify_cpu();
    void enable_paging();
    bool map_kernel(uint64_t va, uint64_t len, PageFlags flags);

    Cpu cpu_;
    PhysicalMemory ram_;
    RangeMap kernel_ranges_;
    std::optional<PageTables> kernel_pt_;
    ElfImage kernel_;
    uint64_t percpu_ = 0, gdt_ = 0, idt_ = 0;
    uint32_t cpuid_1_edx_ = 0;
    uint64_t next_stack_ = kVmallocStart;
};

}  // namespace sysentry

namespace sysentry {
// The guest kernel built from guest/kernel/ and embedded at build time.
std::span<const uint8_t> builtin_kernel_elf();
}  // namespace sysentry
