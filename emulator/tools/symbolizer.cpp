#include "sysentry/symbolizer.hpp"

#include <fmt/format.h>

namespace sysentry {

Symbolizer::Symbolizer(const ElfImage& user, uint64_t user_bias, const ElfImage& kernel)
    : user_(user), bias_(user_bias), kernel_(kernel) {}

static std::string name_at(const ElfSymbol& s, uint64_t offset) {
    return offset == 0 ? fmt::format("<{}>", s.name) : fmt::format("<{}+{}>", s.name, offset);
}

std::string Symbolizer::at(uint64_t address) const {
    if (address >= kKernelHalfStart) {
        const ElfSymbol* s = symbol_containing(kernel_, address);
        return s ? name_at(*s, address - s->value) : "";
    }
    const ElfSymbol* s = symbol_containing(user_, address - bias_);
    return s ? name_at(*s, address - bias_ - s->value) : "";
}

std::optional<uint64_t> Symbolizer::address_of(std::string_view name) const {
    if (const ElfSymbol* s = find_symbol(user_, name)) return s->value + bias_;
    if (const ElfSymbol* s = find_symbol(kernel_, name)) return s->value;
    return std::nullopt;
}

}  // namespace sysentry
