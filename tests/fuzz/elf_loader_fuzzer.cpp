// The ELF parser on arbitrary bytes, as a user program and as a guest kernel.
// Whatever it accepts must honour what elf_image.hpp promises the loader:
// every segment's file bytes inside the file, no two segments overlapping, the
// entry point inside an executable segment, all addresses in their half.
#include <algorithm>
#include <span>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "sysentry/elf_image.hpp"

namespace {

using namespace sysentry;

void check_image(const ElfImage& image, size_t file_size, ElfTarget target) {
    SYSENTRY_FUZZ_CHECK(!image.loads.empty());
    bool entry_found = false;
    for (const ElfSegment& s : image.loads) {
        SYSENTRY_FUZZ_CHECK(s.filesz <= s.memsz);
        if (s.filesz) SYSENTRY_FUZZ_CHECK(s.file_offset <= file_size && s.filesz <= file_size - s.file_offset);
        SYSENTRY_FUZZ_CHECK(s.memsz <= ~s.vaddr);  // no wrap-around
        if (target == ElfTarget::user) SYSENTRY_FUZZ_CHECK(s.vaddr + s.memsz <= kUserAddressEnd);
        if (target == ElfTarget::kernel) SYSENTRY_FUZZ_CHECK(s.vaddr >= kKernelHalfStart);
        if (s.executable && image.entry >= s.vaddr && image.entry - s.vaddr < s.memsz) entry_found = true;
    }
    SYSENTRY_FUZZ_CHECK(entry_found);
    std::vector<ElfSegment> sorted = image.loads;
    std::erase_if(sorted, [](const ElfSegment& s) { return s.memsz == 0; });
    std::ranges::sort(sorted, {}, &ElfSegment::vaddr);
    for (size_t i = 1; i < sorted.size(); ++i)
        SYSENTRY_FUZZ_CHECK(sorted[i - 1].vaddr + sorted[i - 1].memsz <= sorted[i].vaddr);
    for (const ElfSymbol& sym : image.symbols) {
        SYSENTRY_FUZZ_CHECK(find_symbol(image, sym.name) != nullptr);
        symbol_containing(image, sym.value);
    }
}

}  // namespace

SYSENTRY_FUZZ_TARGET(elf_loader) {
    std::span<const uint8_t> bytes(data, size);
    (void)is_elf(bytes);
    for (ElfTarget target : {ElfTarget::user, ElfTarget::kernel}) {
        auto image = parse_elf(bytes, target);
        if (image)
            check_image(*image, size, target);
        else
            SYSENTRY_FUZZ_CHECK(!describe(image.error()).empty());
    }
}
