// An example strace line for any system call: sample arguments from
// kernel_model/syscalls/table/syscall_examples.tbl (strings placed in a sample
// memory page), printed by the same SyscallFormatter that `run --trace` uses.
#pragma once
#include <string>
#include <string_view>

namespace sysentry {

// `write(1, "hello\n", 6)                  = 6`. Throws std::runtime_error if the
// embedded sample table is malformed (a build defect).
std::string example_strace_line(std::string_view name);

}  // namespace sysentry
