#include "sysentry/kernel_profile.hpp"
#include "sysentry/machine.hpp"

extern "C" const uint8_t sysentry_kernel_elf_start[];
extern "C" const uint8_t sysentry_kernel_elf_end[];
extern "C" const uint8_t sysentry_kernel_modern_elf_start[];
extern "C" const uint8_t sysentry_kernel_modern_elf_end[];

namespace sysentry {

std::span<const uint8_t> builtin_kernel_elf() { return builtin_kernel_elf(KernelProfile::seed); }

std::span<const uint8_t> builtin_kernel_elf(KernelProfile profile) {
    if (profile == KernelProfile::modern)
        return {sysentry_kernel_modern_elf_start, size_t(sysentry_kernel_modern_elf_end - sysentry_kernel_modern_elf_start)};
    return {sysentry_kernel_elf_start, size_t(sysentry_kernel_elf_end - sysentry_kernel_elf_start)};
}

std::string_view to_string(KernelProfile profile) { return profile == KernelProfile::modern ? "modern" : "seed"; }

std::optional<KernelProfile> parse_kernel_profile(std::string_view text) {
    if (text == "seed") return KernelProfile::seed;
    if (text == "modern") return KernelProfile::modern;
    return std::nullopt;
}

}  // namespace sysentry
