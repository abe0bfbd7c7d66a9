// /proc for guest processes: what Linux's procfs shows, made from the model's
// own state. Files are generated when opened, into an anonymous host file.
#pragma once
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace sysentry {

class Kernel;
struct Process;

// nullopt: not a /proc path this model serves. Otherwise a host fd or -errno.
std::optional<std::expected<int, int>> open_proc(Kernel& kernel, const Process& self, std::string_view guest_path);
// The targets of /proc/<pid>/exe and /proc/<pid>/fd/<n>.
std::optional<std::expected<std::string, int>> readlink_proc(Kernel& kernel, const Process& self,
                                                             std::string_view guest_path);
// /proc/<pid>/syscall: "running", or the call a task is blocked in (the seed's example).
std::string proc_syscall_line(const Process& p);

}  // namespace sysentry
