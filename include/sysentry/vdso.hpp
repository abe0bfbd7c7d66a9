// The vDSO (guest/vdso) and its [vvar] data page: where they sit in every
// process, how execve maps them, and the clocks the kernel model publishes.
#pragma once
#include <cstdint>
#include <expected>
#include <span>
#include <string>

#include "sysentry/address_space.hpp"
#include "sysentry/x86.hpp"

namespace sysentry {

// Linux's no-ASLR places for a static program: [vdso] ends where mmap starts.
inline constexpr uint64_t kVdsoPages = 2;
inline constexpr uint64_t kVvarPages = 4;  // vvar, pvclock, hvclock, timens
inline constexpr uint64_t kVdsoAddr = kMmapBase - kVdsoPages * x86::kPageSize;  // 0x7ffff7ffd000
inline constexpr uint64_t kVvarAddr = kVdsoAddr - kVvarPages * x86::kPageSize;  // 0x7ffff7ff9000

std::span<const uint8_t> builtin_vdso();

// Maps [vvar] (read-only) and [vdso] (read, execute) and loads the image;
// returns the vDSO's address, AT_SYSINFO_EHDR.
std::expected<uint64_t, std::string> map_vdso(AddressSpace& mm);

// update_vsyscall(): publishes both clocks into a process's [vvar] page, with
// the TSC rate so the vDSO can add the time since. The published monotonic
// clock never goes back from what the vDSO could already have computed.
class VvarClock {
public:
    // `use_tsc` false (deterministic runs): the values alone, frozen until next time.
    void publish(AddressSpace& mm, int64_t monotonic_ns, int64_t realtime_ns, bool use_tsc);
    // The monotonic time the vDSO would read right now (0 before calibration):
    // a system call must never answer with less, or the clock runs backwards.
    int64_t shown_ns() const;

private:
    void calibrate(uint64_t tsc, int64_t monotonic_ns);
    uint64_t first_tsc_ = 0, last_tsc_ = 0;
    int64_t first_ns_ = 0, last_ns_ = 0;
    uint64_t mult_ = 0;  // ns per TSC tick, in 32.32 fixed point
};

}  // namespace sysentry
