// Arbitrary machine code at ring 3: the input is the text of a one-segment
// (read/write/execute) program, followed by exit_group(0) in case it falls
// through. Any instruction may fault, loop, call the kernel or rewrite itself;
// sysentry must always reach a verdict with the host intact.
#include <array>
#include <vector>

#include "fuzz/fuzz_guest.hpp"

namespace {
constexpr size_t kMaxCode = 4096;
constexpr std::array<uint8_t, 9> kExitGroup = {
    0xb8, 0xe7, 0x00, 0x00, 0x00,  // mov $231, %eax  (exit_group)
    0x31, 0xff,                    // xor %edi, %edi
    0x0f, 0x05,                    // syscall
};
}  // namespace

SYSENTRY_FUZZ_TARGET(ring3_code) {
    if (size > kMaxCode || sysentry::fuzz::has_untranslatable_far_branch({data, size})) return;
    std::vector<uint8_t> code(data, data + size);
    code.insert(code.end(), kExitGroup.begin(), kExitGroup.end());
    sysentry::fuzz::run_guarded({sysentry::fuzz::tiny_elf(code, 4096)});
}
