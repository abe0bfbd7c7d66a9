// Addresses as names, for the stepper: the user program's ELF symbols and the
// guest kernel's ("<entry_SYSCALL_64+12>"), and names back to addresses.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sysentry/elf_image.hpp"

namespace sysentry {

class Symbolizer {
public:
    // `user_bias` is the program's load bias (0 unless it is static-pie).
    Symbolizer(const ElfImage& user, uint64_t user_bias, const ElfImage& kernel);

    // "<name+0x12>", "<name>", or "" when no symbol covers `address`.
    std::string at(uint64_t address) const;
    std::optional<uint64_t> address_of(std::string_view name) const;

private:
    const ElfImage& user_;
    uint64_t bias_;
    const ElfImage& kernel_;
};

}  // namespace sysentry
