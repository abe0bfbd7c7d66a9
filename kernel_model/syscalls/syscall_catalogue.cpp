#include "sysentry/syscall_catalogue.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>

namespace sysentry {
namespace {

// GNU dialects on 32-bit x86 predefine `i386` as a macro, which would turn
// SyscallAbi::i386 in the X-macro expansion into SyscallAbi::1.
#pragma push_macro("i386")
#undef i386

// Generated from kernel_model/syscalls/table/*.tbl by cmake/GenerateSyscallTable.cmake.
constexpr SyscallEntry kCatalogue[] = {
#define SYSENTRY_SYSCALL(abi, nr, name, entry) SyscallEntry{SyscallAbi::abi, nr, #name, #entry},
#include <syscall_table.inc>
#undef SYSENTRY_SYSCALL
};

#pragma pop_macro("i386")

using CatalogueIndex = uint16_t;
constexpr CatalogueIndex kNoEntry = 0xFFFF;
static_assert(std::size(kCatalogue) < kNoEntry, "catalogue outgrew its 16-bit index");

// The generator sorts; checking here keeps the span's documented order a
// compile-time fact rather than a hope.
constexpr bool catalogue_is_ordered() {
  for (std::size_t i = 1; i < std::size(kCatalogue); ++i) {
    const SyscallEntry& prev = kCatalogue[i - 1];
    const SyscallEntry& cur = kCatalogue[i];
    if (cur.abi < prev.abi || (cur.abi == prev.abi && cur.nr <= prev.nr)) return false;
  }
  return true;
}
static_assert(catalogue_is_ordered(), "syscall_table.inc must be grouped by ABI and ascending by number");

constexpr int compute_max_nr(SyscallAbi abi) {
  int max_nr = -1;
  for (const SyscallEntry& e : kCatalogue) {
    if (e.abi == abi) max_nr = std::max(max_nr, e.nr);
  }
  return max_nr;
}

// Dense number -> catalogue position map for one ABI, built at compile time,
// so find_syscall is one bounds check and one load.
template <SyscallAbi Abi>
constexpr auto build_number_index() {
  std::array<CatalogueIndex, static_cast<std::size_t>(compute_max_nr(Abi) + 1)> index{};
  index.fill(kNoEntry);
  for (std::size_t i = 0; i < std::size(kCatalogue); ++i) {
    if (kCatalogue[i].abi == Abi) index[static_cast<std::size_t>(kCatalogue[i].nr)] = static_cast<CatalogueIndex>(i);
  }
  return index;
}

constexpr auto kX86_64ByNumber = build_number_index<SyscallAbi::x86_64>();
constexpr auto kX32ByNumber = build_number_index<SyscallAbi::x32>();
constexpr auto kI386ByNumber = build_number_index<SyscallAbi::i386>();

std::span<const CatalogueIndex> number_index(SyscallAbi abi) {
  switch (abi) {
    case SyscallAbi::x86_64: return kX86_64ByNumber;
    case SyscallAbi::x32: return kX32ByNumber;
    case SyscallAbi::i386: return kI386ByNumber;
  }
  return {};
}

constexpr bool abi_name_less(const SyscallEntry& a, SyscallAbi abi, std::string_view name) {
  return a.abi != abi ? a.abi < abi : a.name < name;
}

// Catalogue positions sorted by (ABI, name), for binary search by name.
constexpr auto kByName = [] {
  std::array<CatalogueIndex, std::size(kCatalogue)> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<CatalogueIndex>(i);
  std::sort(order.begin(), order.end(), [](CatalogueIndex a, CatalogueIndex b) {
    return abi_name_less(kCatalogue[a], kCatalogue[b].abi, kCatalogue[b].name);
  });
  return order;
}();

}  // namespace

std::string_view to_string(SyscallAbi abi) {
  switch (abi) {
    case SyscallAbi::x86_64: return "x86_64";
    case SyscallAbi::x32: return "x32";
    case SyscallAbi::i386: return "i386";
  }
  return "unknown";
}

std::span<const SyscallEntry> syscall_catalogue() { return kCatalogue; }

const SyscallEntry* find_syscall(SyscallAbi abi, int nr) {
  const std::span<const CatalogueIndex> index = number_index(abi);
  if (nr < 0 || static_cast<std::size_t>(nr) >= index.size()) return nullptr;
  const CatalogueIndex position = index[static_cast<std::size_t>(nr)];
  return position == kNoEntry ? nullptr : &kCatalogue[position];
}

std::optional<int> syscall_number(SyscallAbi abi, std::string_view name) {
  const auto it = std::lower_bound(kByName.begin(), kByName.end(), name, [abi](CatalogueIndex position, std::string_view key) {
    return abi_name_less(kCatalogue[position], abi, key);
  });
  if (it == kByName.end() || kCatalogue[*it].abi != abi || kCatalogue[*it].name != name) return std::nullopt;
  return kCatalogue[*it].nr;
}

int max_syscall_nr(SyscallAbi abi) { return static_cast<int>(number_index(abi).size()) - 1; }

}  // namespace sysentry
