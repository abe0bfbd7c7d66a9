// What each system call is for and how its man page declares it: the seed
// note's five categories and the section-2 prototypes, one row per name of
// every ABI's table. The data is kernel_model/syscalls/table/syscall_reference.tbl,
// embedded at build time and read once.
#pragma once
#include <optional>
#include <span>
#include <string_view>

namespace sysentry {

enum class SyscallCategory { process, file, device, information, communication };

inline constexpr SyscallCategory kSyscallCategories[] = {
    SyscallCategory::process, SyscallCategory::file, SyscallCategory::device,
    SyscallCategory::information, SyscallCategory::communication};

// "process", "file", ... as the table file spells them.
std::string_view to_string(SyscallCategory category);
// The seed note's heading: "process control", "file management", ...
std::string_view category_title(SyscallCategory category);
// Accepts the table spelling or the title's first word ("process", "information").
std::optional<SyscallCategory> parse_category(std::string_view text);

struct SyscallReference {
    std::string_view name;
    SyscallCategory category;
    std::string_view signature;  // "ssize_t write(int fd, ...);", or "" when no man page has one
};

// Every row, sorted by name. Throws std::runtime_error if the embedded table is malformed.
std::span<const SyscallReference> syscall_references();
const SyscallReference* find_syscall_reference(std::string_view name);

}  // namespace sysentry
