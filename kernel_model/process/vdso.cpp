// Maps the vDSO into a new program and keeps its [vvar] page current.
#include "sysentry/vdso.hpp"

#include <elf.h>
#include <sys/mman.h>
#include <x86intrin.h>

#include <cstring>

#include "vvar.h"

extern "C" const uint8_t sysentry_vdso_so_start[];
extern "C" const uint8_t sysentry_vdso_so_end[];

namespace sysentry {

namespace {

constexpr uint32_t kMultShift = 32;
constexpr int64_t kCalibrationNs = 1'000'000;  // rate from at least 1 ms of host time

// Each PT_LOAD at its offset from the vDSO's base (the image is linked at 0).
bool load_segments(AddressSpace& mm, std::span<const uint8_t> so) {
    Elf64_Ehdr eh;
    if (so.size() < sizeof eh) return false;
    std::memcpy(&eh, so.data(), sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        std::memcpy(&ph, so.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD) continue;
        if (ph.p_vaddr + ph.p_memsz > kVdsoPages * x86::kPageSize) return false;
        if (!mm.poke(kVdsoAddr + ph.p_vaddr, so.subspan(ph.p_offset, ph.p_filesz))) return false;
    }
    return true;
}

}  // namespace

std::span<const uint8_t> builtin_vdso() {
    return {sysentry_vdso_so_start, size_t(sysentry_vdso_so_end - sysentry_vdso_so_start)};
}

std::expected<uint64_t, std::string> map_vdso(AddressSpace& mm) {
    if (mm.map(kVvarAddr, kVvarPages * x86::kPageSize, PROT_READ, true, "[vvar]") < 0 ||
        mm.map(kVdsoAddr, kVdsoPages * x86::kPageSize, PROT_READ | PROT_EXEC, true, "[vdso]") < 0)
        return std::unexpected("cannot map the vDSO");
    if (!load_segments(mm, builtin_vdso())) return std::unexpected("cannot load the vDSO");
    return kVdsoAddr;
}

void VvarClock::calibrate(uint64_t tsc, int64_t monotonic_ns) {
    if (!first_tsc_) {
        first_tsc_ = tsc, first_ns_ = monotonic_ns;
        return;
    }
    const int64_t ns = monotonic_ns - first_ns_;
    if (ns >= kCalibrationNs && tsc > first_tsc_)
        mult_ = (static_cast<unsigned __int128>(ns) << kMultShift) / (tsc - first_tsc_);
}

int64_t VvarClock::shown_ns() const {
    if (!mult_) return 0;
    const uint64_t tsc = __rdtsc();
    return last_ns_ + int64_t((static_cast<unsigned __int128>(tsc - last_tsc_) * mult_) >> kMultShift);
}

void VvarClock::publish(AddressSpace& mm, int64_t monotonic_ns, int64_t realtime_ns, bool use_tsc) {
    const Vma* area = mm.find(kVvarAddr);
    if (!area || area->name != "[vvar]") return;  // the program unmapped it
    vvar_data v{};
    v.clock_mode = VDSO_CLOCK_FROZEN;
    if (use_tsc) {
        const uint64_t tsc = __rdtsc();  // the engine's rdtsc reads the host's TSC
        const int64_t predicted = shown_ns();
        if (mult_ && predicted > monotonic_ns) {  // never behind what the vDSO may have shown
            realtime_ns += predicted - monotonic_ns;
            monotonic_ns = predicted;
        }
        calibrate(tsc, monotonic_ns);
        last_tsc_ = tsc, last_ns_ = monotonic_ns;
        v.clock_mode = mult_ ? VDSO_CLOCK_TSC : VDSO_CLOCK_FROZEN;
        v.mult = mult_, v.shift = kMultShift, v.tsc_base = tsc;
    }
    v.monotonic_ns = monotonic_ns;
    v.realtime_ns = realtime_ns;
    mm.poke(kVvarAddr, {reinterpret_cast<const uint8_t*>(&v), sizeof v});
}

}  // namespace sysentry
