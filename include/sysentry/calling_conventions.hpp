// The syscall calling convention of every architecture Linux runs on: the two
// tables of syscall(2) ("Architecture calling conventions") and their notes.
// The data is kernel_model/syscalls/table/calling_conventions.tbl, embedded at
// build time.
#pragma once
#include <array>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace sysentry {

// How a call enters the kernel and comes back ("-" where the ABI has none).
struct AbiEntry {
    std::string arch, instruction, nr, ret, ret2, error;
    std::vector<int> notes;
};

// Which registers carry arguments 1 to 7.
struct AbiArguments {
    std::string arch;
    std::array<std::string, 7> args;
    std::vector<int> notes;
};

struct AbiNote {
    std::string table;  // "entry" or "args"
    int number;         // 0: a note no row cites (the register-pair alignment)
    std::string text;
};

struct CallingConventions {
    std::vector<AbiEntry> entry;
    std::vector<AbiArguments> arguments;
    std::vector<AbiNote> notes;

    const AbiEntry* find_entry(std::string_view arch) const;
    const AbiArguments* find_arguments(std::string_view arch) const;
};

// Parses the table format; the error names the line.
std::expected<CallingConventions, std::string> parse_calling_conventions(std::string_view text);
// The embedded table. Throws std::runtime_error if it does not parse (a build defect).
const CallingConventions& calling_conventions();

}  // namespace sysentry
