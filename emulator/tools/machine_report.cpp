#include "sysentry/machine_report.hpp"

#include <fmt/format.h>

#include "sysentry/descriptors.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/syscall_catalogue.hpp"
#include "sysentry/transition_model.hpp"

namespace sysentry {

using namespace x86;

static std::string_view gdt_entry_name(unsigned i) {
    switch (i) {
    case 0: return "null";
    case kGdtKernel32Cs: return "KERNEL32_CS";
    case kGdtKernelCs: return "KERNEL_CS";
    case kGdtKernelDs: return "KERNEL_DS";
    case kGdtUser32Cs: return "USER32_CS";
    case kGdtUserDs: return "USER_DS";
    case kGdtUserCs: return "USER_CS";
    case kGdtTss: return "TSS";
    case kGdtCarrierGate: return "carrier gate";
    default: return "";
    }
}

static std::string_view gdt_entry_role(unsigned i) {
    switch (i) {
    case kGdtKernel32Cs: return "32-bit kernel code (used while booting on real hardware)";
    case kGdtKernelCs: return "the CS that SYSCALL loads: STAR[47:32]";
    case kGdtKernelDs: return "the SS that SYSCALL loads: STAR[47:32] + 8";
    case kGdtUser32Cs: return "compat-mode user code; also STAR[63:48], SYSRET's base";
    case kGdtUserDs: return "user SS: SYSRET loads STAR[63:48] + 8 | 3";
    case kGdtUserCs: return "64-bit user code: SYSRET loads STAR[63:48] + 16 | 3";
    case kGdtTss: return "the TSS: RSP0 is the stack ring 0 starts on after an interrupt";
    case kGdtCarrierGate: return "sysentry's own: carries the modelled SYSCALL to CPL 0 (not in Linux)";
    default: return "";
    }
}

std::string describe_gdt(Machine& m) {
    auto mem = m.kernel_memory();
    std::string out = fmt::format("GDT at {:#x} ({} entries; Linux's 64-bit layout)\n", m.gdt_base(), kGdtEntries);
    for (unsigned i = 0; i < kGdtEntries; ++i) {
        uint64_t lo = mem.read_value<uint64_t>(m.gdt_base() + i * 8).value_or(0);
        uint64_t hi = mem.read_value<uint64_t>(m.gdt_base() + (i + 1) * 8).value_or(0);
        if (lo == 0 && i != 0) continue;
        DecodedDescriptor d = decode_descriptor(lo, hi);
        std::string sel = i == 0 ? "" : fmt::format("{:#06x}", selector(i, d.system ? 0 : d.dpl));
        out += fmt::format("  [{:2}] {:6} {:13} {:016x}  {}\n", i, sel, gdt_entry_name(i), lo,
                           i == 0 ? "the null descriptor" : d.summary());
        if (auto role = gdt_entry_role(i); !role.empty()) out += fmt::format("{:30}{}\n", "", role);
        if (d.present && d.system) ++i;  // 16-byte system descriptors take two slots
    }
    return out;
}

std::string describe_tss(Machine& m) {
    auto tss = m.kernel_memory().read_value<Tss64>(m.tss_base()).value_or(Tss64{});
    const uint64_t rsp0 = tss.rsp[0];  // copies: fmt takes references, and the packed fields are misaligned
    const uint16_t iomap_base = tss.iomap_base;
    return fmt::format(
        "TSS at {:#x} (selector {:#06x}, in the per-CPU area)\n"
        "  RSP0 = {:#018x}  the top of the current task's kernel stack: where ring 0\n"
        "                           starts after an interrupt or a call gate from ring 3\n"
        "  IST1..7 unused; I/O map base {} (past the limit: no I/O bitmap, so\n"
        "  `in`/`out` from ring 3 raise #GP)\n",
        m.tss_base(), kTssSelector, rsp0, iomap_base);
}

std::string describe_idt_entry(Machine& m, unsigned vector) {
    uint64_t g[2] = {};
    m.kernel_memory().read(m.idt_base() + vector * 16, g, sizeof g);
    DecodedDescriptor d = decode_descriptor(g[0], g[1]);
    const ElfSymbol* s = symbol_containing(m.kernel_image(), d.base);
    return fmt::format("IDT[{:#x}]: {}{}\n", vector, d.summary(), s ? fmt::format(" <{}>", s->name) : "");
}

static std::string flags_list(uint64_t v) {
    std::string s;
    for (auto& n : rflags_names(v)) s += (s.empty() ? "" : "|") + n;
    return s.empty() ? "none" : s;
}

// "entry_SYSCALL_64" for an address in the guest kernel, else "?".
static std::string kernel_symbol_at(const Machine& machine, uint64_t address) {
    const ElfSymbol* s = symbol_containing(machine.kernel_image(), address);
    if (!s) return "not in the guest kernel";
    return address == s->value ? s->name : fmt::format("{}+{:#x}", s->name, address - s->value);
}

std::string describe_msrs(const Machine& machine, const TransitionModel& model) {
    SyscallMsrs m = model.msrs();
    std::string out = "SYSCALL MSRs, as the guest's syscall_init wrote them with wrmsr:\n";
    out += fmt::format("  STAR         = {:#018x}\n", m.star);
    out += fmt::format("    [47:32] = {:#06x}: SYSCALL loads CS = {:#06x} and SS = {:#06x} (+8), CPL 0\n",
                       uint16_t(m.star >> 32), m.syscall_cs(), m.syscall_ss());
    out += fmt::format("    [63:48] = {:#06x}: SYSRET loads CS = {:#06x} (+16|3) and SS = {:#06x} (+8|3), CPL 3\n",
                       m.sysret_base(), m.sysret_cs(), m.sysret_ss());
    out += fmt::format("  LSTAR        = {:#018x}  RIP after a 64-bit SYSCALL: {}\n", m.lstar,
                       kernel_symbol_at(machine, m.lstar));
    out += fmt::format("  CSTAR        = {:#018x}  RIP after SYSCALL from 32-bit code: {}\n", m.cstar,
                       kernel_symbol_at(machine, m.cstar));
    out += fmt::format("  SYSCALL_MASK = {:#018x}  RFLAGS bits SYSCALL clears: {}\n", m.syscall_mask,
                       flags_list(m.syscall_mask));
    out += fmt::format("  EFER         = {:#018x}  SCE={} (SYSCALL enabled) LME={} LMA={}\n", m.efer,
                       int(m.sce()), int(bool(m.efer & kEferLme)), int(bool(m.efer & kEferLma)));
    out += "                 (the engine drops SCE; sysentry records it when the guest writes EFER)\n";
    out += fmt::format("  SYSENTER_CS/ESP/EIP = {:#x} / {:#x} / {:#x} ({})\n", m.sysenter_cs, m.sysenter_esp,
                       m.sysenter_eip, kernel_symbol_at(machine, m.sysenter_eip));
    out += "                 (SYSENTER is #UD in 64-bit mode on AMD; Linux still programs it for 32-bit tasks)\n";
    out += fmt::format("  GS_BASE = {:#x}, KERNEL_GS_BASE = {:#x}  (swapgs exchanges them)\n", m.gs_base,
                       m.kernel_gs_base);
    return out;
}

// The seed's table stops at copy_file_range; its text says 326 calls to remember.
constexpr int kSeedLastX86_64Syscall = 326;

std::string explain_modern_linux() {
    const int last = max_syscall_nr(SyscallAbi::x86_64);
    const SyscallEntry* newest = find_syscall(SyscallAbi::x86_64, last);
    return fmt::format(
        "Where today's Linux differs from the seed's syscall_init:\n"
        "  - Recent kernels keep only the STAR write in syscall_init(); LSTAR, CSTAR, the SYSENTER MSRs\n"
        "    and SYSCALL_MASK moved to idt_syscall_init(), which is skipped when the CPU has FRED:\n"
        "    with FRED, SYSCALL enters through the FRED entry point and those MSRs are not used.\n"
        "  - Modern kernels mask many more flags on entry: CF|PF|AF|ZF|SF|TF|IF|DF|OF|IOPL|NT|RF|AC|ID\n"
        "    = 0x257fd5, where the seed masks TF|DF|IF|IOPL|AC|NT = 0x47700. A flag the user left set\n"
        "    (CF from a compare, say) no longer leaks into kernel code; R11 still carries it back.\n"
        "  - The x86-64 table has grown from the seed's 0..{} to 0..{} (now ending at {}).\n"
        "  - entry_SYSCALL_64 now also switches CR3 for page-table isolation (KPTI) and clears\n"
        "    registers against speculation; sysentry's stub keeps to the seed-era essentials.\n"
        "  Boot either: `sysentry info --kernel-profile modern` runs a syscall_init that writes STAR only\n"
        "  and an idt_syscall_init that writes LSTAR, CSTAR, SYSENTER_* and SYSCALL_MASK = 0x257fd5.\n",
        kSeedLastX86_64Syscall, last, newest ? newest->name : "?");
}

}  // namespace sysentry
