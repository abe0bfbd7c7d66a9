// Arbitrary machine code at ring 0: the built-in guest kernel with the input
// written over entry_SYSCALL_64 (as a student's --kernel would replace it),
// booted, and entered by one SYSCALL from ring 3. The code may wrmsr, load
// control registers, halt, iretq or sysretq with any state; sysentry must end
// in a verdict (usually a kernel oops, status 123) without harm to the host.
#include <algorithm>
#include <array>
#include <vector>

#include "fuzz/fuzz_guest.hpp"
#include "sysentry/machine.hpp"

namespace {

using namespace sysentry;

// Where entry_SYSCALL_64 sits in the kernel file, and how many bytes it has
// before the next symbol.
struct StubPlace {
    uint64_t file_offset = 0, size = 0;
};

StubPlace find_entry_stub(std::span<const uint8_t> kernel) {
    auto image = parse_elf(kernel, ElfTarget::kernel);
    SYSENTRY_FUZZ_CHECK(image.has_value());
    const ElfSymbol* entry = find_symbol(*image, "entry_SYSCALL_64");
    SYSENTRY_FUZZ_CHECK(entry != nullptr);
    uint64_t next = ~0ull;
    for (const ElfSymbol& s : image->symbols)
        if (s.value > entry->value) next = std::min(next, s.value);
    for (const ElfSegment& seg : image->loads)
        if (entry->value >= seg.vaddr && entry->value < seg.vaddr + seg.filesz)
            return {seg.file_offset + (entry->value - seg.vaddr),
                    std::min(next, seg.vaddr + seg.filesz) - entry->value};
    SYSENTRY_FUZZ_CHECK(false && "entry_SYSCALL_64 is not in a file-backed segment");
    return {};
}

constexpr std::array<uint8_t, 4> kSyscallThenSpin = {
    0x0f, 0x05,  // syscall
    0xeb, 0xfe,  // jmp . (if ring 0 ever returns here, the timeout ends it)
};

}  // namespace

SYSENTRY_FUZZ_TARGET(ring0_code) {
    static const std::vector<uint8_t> kernel(builtin_kernel_elf().begin(), builtin_kernel_elf().end());
    static const StubPlace stub = find_entry_stub(kernel);
    if (size > stub.size || fuzz::has_untranslatable_far_branch({data, size})) return;
    std::vector<uint8_t> patched = kernel;
    std::copy(data, data + size, patched.begin() + ptrdiff_t(stub.file_offset));
    fuzz::run_guarded({fuzz::tiny_elf(kSyscallThenSpin), std::move(patched), 50'000});
}
