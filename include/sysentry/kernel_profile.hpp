// Which built-in guest kernel boots: the seed note's syscall_init, or today's
// Linux (STAR in syscall_init, the rest in idt_syscall_init, mask 0x257fd5).
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sysentry {

enum class KernelProfile { seed, modern };

std::string_view to_string(KernelProfile profile);
std::optional<KernelProfile> parse_kernel_profile(std::string_view text);

// The guest kernel built from guest/kernel/ for `profile`, embedded at build time.
std::span<const uint8_t> builtin_kernel_elf(KernelProfile profile);

}  // namespace sysentry
