#include "sysentry/machine.hpp"

#include <cstring>
#include <fmt/format.h>

#include "sysentry/descriptors.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/x86.hpp"

namespace sysentry {

using namespace x86;

constexpr uint64_t kPcpuGdt = 256;  // offset of the GDT inside the per-CPU area, as Linux's gdt_page
constexpr uint64_t kIdtEntries = 256;
static_assert(kPcpuGdt + kGdtEntries * 8 <= PCPU_SIZE);
static_assert(PCPU_TSS + sizeof(Tss64) <= kPcpuGdt);
static_assert(__KERNEL_CS == kKernelCs && __USER_CS == kUserCs && __USER_DS == kUserDs &&
              __USER32_CS == kUser32Cs && __KERNEL_DS == kKernelDs);
static_assert(KERNEL_TEXT_START == kKernelTextStart && CARRIER_PAGE == kCarrierPage);

Machine::Machine(const MachineConfig& config) : ram_(config.page_table_bytes), kernel_ranges_(cpu_) {
    ram_.attach(cpu_);
    kernel_ranges_.attach();
}

std::expected<std::unique_ptr<Machine>, std::string> Machine::create(
    const MachineConfig& config, std::span<const uint8_t> kernel_elf) {
    std::unique_ptr<Machine> m(new Machine(config));
    m->kernel_pt_ = PageTables::create(m->ram_, nullptr);
    if (!m->kernel_pt_) return std::unexpected("no RAM for the kernel page tables");
    // Every high-half PML4 slot gets its PDPT now, so each process's copy of
    // slots 256..511 sees mappings the kernel adds later (kernel stacks).
    for (unsigned slot = 256; slot < 512; ++slot) {
        if (!m->kernel_pt_->populate_pml4_slot(slot)) return std::unexpected("no RAM for page tables");
    }
    if (auto r = m->build_cpu_tables(); !r) return std::unexpected(r.error());
    if (auto r = m->load_kernel(kernel_elf); !r) return std::unexpected(r.error());
    m->install_gates();
    m->enable_paging();
    m->identify_cpu();
    return m;
}

uint64_t Machine::kernel_symbol(std::string_view name) const {
    const ElfSymbol* s = find_symbol(kernel_, name);
    if (!s) throw std::logic_error(fmt::format("guest kernel has no symbol '{}'", name));
    return s->value;
}

uint64_t Machine::tss_base() const { return percpu_ + PCPU_TSS; }

// Backs [va, va+len) and maps it in the kernel's page tables.
bool Machine::map_kernel(uint64_t va, uint64_t len, PageFlags flags) {
    if (!kernel_ranges_.map(va, len)) return false;
    for (uint64_t off = 0; off < len; off += kPageSize) {
        if (!kernel_pt_->map(va + off, flags)) return false;
    }
    return true;
}

std::expected<void, std::string> Machine::load_kernel(std::span<const uint8_t> elf) {
    auto image = parse_elf(elf, ElfTarget::kernel);
    if (!image) return std::unexpected(fmt::format("guest kernel: {}", describe(image.error())));
    kernel_ = std::move(*image);
    for (const ElfSegment& seg : kernel_.loads) {
        if (seg.memsz == 0) continue;
        // The carrier page is the one high-half page ring 3 may execute.
        PageFlags flags{seg.writable, seg.vaddr == kCarrierPage, seg.executable};
        uint64_t start = seg.vaddr & ~(kPageSize - 1);
        uint64_t end = (seg.vaddr + seg.memsz + kPageSize - 1) & ~(kPageSize - 1);
        if (!map_kernel(start, end - start, flags)) return std::unexpected("cannot map the guest kernel image");
        std::memcpy(kernel_ranges_.host(seg.vaddr), elf.data() + seg.file_offset, seg.filesz);
    }
    return {};
}

std::expected<void, std::string> Machine::build_cpu_tables() {
    if (!map_kernel(kPerCpuArea, PCPU_SIZE, {true, false, false}) ||
        !map_kernel(kIdtTable, kPageSize, {true, false, false}))
        return std::unexpected("cannot map the CPU tables");
    percpu_ = kPerCpuArea;
    gdt_ = percpu_ + kPcpuGdt;
    idt_ = kIdtTable;

    auto* gdt = reinterpret_cast<uint64_t*>(kernel_ranges_.host(gdt_));
    gdt[kGdtKernel32Cs] = code_segment(0, false);
    gdt[kGdtKernelCs] = code_segment(0, true);
    gdt[kGdtKernelDs] = data_segment(0);
    gdt[kGdtUser32Cs] = code_segment(3, false);
    gdt[kGdtUserDs] = data_segment(3);
    gdt[kGdtUserCs] = code_segment(3, true);
    auto tss = tss_descriptor(tss_base(), sizeof(Tss64) - 1, true);
    gdt[kGdtTss] = tss[0];
    gdt[kGdtTss + 1] = tss[1];

    auto* t = reinterpret_cast<Tss64*>(kernel_ranges_.host(tss_base()));
    t->iomap_base = sizeof(Tss64);

    cpu_.set_table_register(UC_X86_REG_GDTR, gdt_, kGdtEntries * 8 - 1);
    cpu_.set_table_register(UC_X86_REG_IDTR, idt_, kIdtEntries * 16 - 1);
    // The engine wants the TSS access byte shifted left by 8 (see the notes).
    cpu_.set_table_register(UC_X86_REG_TR, tss_base(), sizeof(Tss64) - 1, kTssSelector,
                            uint32_t(kDescPresent | kTypeTss64Busy) << 8);
    return {};
}

// Gates need the kernel's entry points, so they follow the image load.
void Machine::install_gates() {
    auto mem = kernel_memory();
    auto carrier = call_gate(kKernelCs, kernel_symbol("sysentry_carrier_landing"), 3);
    mem.write(gdt_ + kGdtCarrierGate * 8, carrier.data(), sizeof carrier);
    auto int80 = idt_gate(kKernelCs, kernel_symbol("entry_INT80_compat"), 3, kTypeInterruptGate64);
    mem.write(idt_ + kInt80 * 16, int80.data(), sizeof int80);
}

// Runs the guest kernel's identify_cpu (cpuid; hlt) once, at CPL 0.
void Machine::identify_cpu() {
    cpu_.set_reg(Reg::rsp, 0);
    cpu_.run(kernel_symbol("identify_cpu"));  // no count: a counted start makes the next one flush all code
    cpuid_1_edx_ = uint32_t(cpu_.reg(Reg::rdx));
    cpu_.forget_exception();  // the engine's hlt leaves a stale #GP that would turn the next fault into #DF
}

void Machine::enable_paging() {
    cpu_.set_msr(kMsrEfer, kEferLme | kEferLma | (kEngineHasNx ? kEferNxe : 0));
    cpu_.set_reg(Reg::cr4, kCr4Pae | kCr4Osfxsr | kCr4Osxmmexcpt | kCr4Fsgsbase);
    cpu_.set_reg(Reg::cr3, kernel_pt_->cr3());
    cpu_.set_reg(Reg::cr0, kCr0Pe | kCr0Wp | kCr0Pg | (1ull << 1) /*MP*/ | (1ull << 5) /*NE*/);
    cpu_.set_reg(Reg::cs, kKernelCs);
    cpu_.set_reg(Reg::ss, kKernelDs);
}

std::optional<uint64_t> Machine::allocate_kernel_stack() {
    uint64_t base = next_stack_ + kPageSize;  // the guard page stays unmapped
    if (!map_kernel(base, kKernelStackSize, {true, false, false})) return std::nullopt;
    next_stack_ = base + kKernelStackSize;
    return next_stack_;
}

void Machine::set_kernel_stack_top(uint64_t top) {
    auto mem = kernel_memory();
    mem.write_value<uint64_t>(tss_base() + offsetof(Tss64, rsp), top);
    mem.write_value<uint64_t>(percpu_ + PCPU_TOP_OF_STACK, top);
}

}  // namespace sysentry
