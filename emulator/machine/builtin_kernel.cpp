#include "sysentry/machine.hpp"

extern "C" const uint8_t sysentry_kernel_elf_start[];
extern "C" const uint8_t sysentry_kernel_elf_end[];

namespace sysentry {

std::span<const uint8_t> builtin_kernel_elf() {
    return {sysentry_kernel_elf_start, size_t(sysentry_kernel_elf_end - sysentry_kernel_elf_start)};
}

}  // namespace sysentry
