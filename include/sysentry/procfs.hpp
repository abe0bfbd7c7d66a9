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
struct OpenFile;

// nullopt: not a /proc path this model serves. Otherwise a host fd or -errno.
std::optional<std::expected<int, int>> open_proc(Kernel& kernel, const Process& self, std::string_view guest_path);
// The targets of /proc/<pid>/exe and /proc/<pid>/fd/<n>.
std::optional<std::expected<std::string, int>> readlink_proc(Kernel& kernel, const Process& self,
                                                             std::string_view guest_path);
// /proc/<pid>/syscall: the call a task is in (the seed's example), from its pt_regs.
std::string proc_syscall_line(Kernel& kernel, const Process& p);
// Regenerates a generated file (today /proc/<pid>/syscall) before a read at
// offset 0, as seq_file does; other files are left alone.
void refresh_proc_file(Kernel& kernel, const Process& reader, const OpenFile& file);

}  // namespace sysentry
