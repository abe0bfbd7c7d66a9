// execve's loading half for static ELF programs (fs/binfmt_elf.c, no ASLR).
#include <sys/mman.h>

#include <cstring>
#include <filesystem>
#include <fmt/format.h>

#include "sysentry/initial_stack.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/vdso.hpp"

namespace sysentry {

using x86::kPageSize;

constexpr uint64_t kEtDynBase = 0x555555554000;  // ELF_ET_DYN_BASE with randomisation off
constexpr uint64_t kHwcap2Fsgsbase = 1 << 1;  // CR4.FSGSBASE is on
constexpr uint64_t kMinSigStackSize = 2048;   // FXSAVE-only signal frames fit comfortably

static uint64_t page_down(uint64_t v) { return v & ~(kPageSize - 1); }
static uint64_t page_up(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

static int prot_of(const ElfSegment& s) {
    return (s.readable ? PROT_READ : 0) | (s.writable ? PROT_WRITE : 0) | (s.executable ? PROT_EXEC : 0);
}

// Areas first (a later segment wins a shared page, as Linux's mmaps do), then bytes.
static std::expected<uint64_t, std::string> map_segments(AddressSpace& mm, const Program& prog, uint64_t bias) {
    uint64_t end = 0;
    for (const ElfSegment& s : prog.image.loads) {
        if (s.memsz == 0) continue;
        uint64_t start = page_down(s.vaddr + bias), stop = page_up(s.vaddr + bias + s.memsz);
        if (mm.map(start, stop - start, prot_of(s), true, prog.guest_path) < 0)
            return std::unexpected(fmt::format("cannot map segment at {:#x}", start));
        end = std::max(end, stop);
    }
    for (const ElfSegment& s : prog.image.loads) {
        std::span<const uint8_t> file(prog.bytes.data() + s.file_offset, s.filesz);
        if (!mm.poke(s.vaddr + bias, file)) return std::unexpected("out of guest memory loading the program");
    }
    return end;
}

std::expected<UserEntry, std::string> load_program(Kernel& kernel, Process& p, const Program& prog) {
    const ElfImage& img = prog.image;
    uint64_t bias = img.position_independent ? kEtDynBase : 0;
    auto end = map_segments(p.mm, prog, bias);
    if (!end) return std::unexpected(end.error());
    p.mm.set_brk_start(*end);
    if (p.mm.map(kStackTop - kStackReserve, kStackReserve, PROT_READ | PROT_WRITE, true, "[stack]") < 0)
        return std::unexpected("cannot map the stack");
    auto vdso = map_vdso(p.mm);
    if (!vdso) return std::unexpected(vdso.error());


    AuxvInput aux;
    aux.phdr = img.phdr_vaddr ? img.phdr_vaddr + bias : 0;
    aux.phent = img.phent;
    aux.phnum = img.phnum;
    aux.entry = img.entry + bias;
    aux.hwcap = kernel.machine().cpuid_1_edx();  // x86 Linux: boot_cpu_data's CPUID.1:EDX
    aux.hwcap2 = kHwcap2Fsgsbase;
    aux.minsigstksz = kMinSigStackSize;
    aux.sysinfo_ehdr = *vdso;
    uint8_t random[16];
    kernel.fill_random(random, sizeof random);
    auto stack = build_initial_stack(kStackTop, prog.argv, prog.envp, prog.guest_path, aux, random,
                                     kStackReserve / 4);
    if (!stack) return std::unexpected(fmt::format("argument list: {}", std::strerror(stack.error())));
    if (!p.mm.poke(stack->bottom, stack->bytes)) return std::unexpected("out of guest memory for the stack");

    // /proc/self/exe is absolute; a relative program path is taken from the guest's "/".
    p.exe = std::filesystem::path("/" + prog.guest_path).lexically_normal().string();
    auto slash = prog.guest_path.find_last_of('/');
    p.comm = prog.guest_path.substr(slash == std::string::npos ? 0 : slash + 1).substr(0, 15);
    return UserEntry{img.entry + bias, stack->rsp, stack->execfn_addr, stack->argv_addr, stack->envp_addr};
}

}  // namespace sysentry
