// How a simulated Linux service is written and registered. A new syscall is a
// function plus one row in its family's table (kernel_model/syscalls/*.cpp);
// the dispatcher matches rows to the generated syscall table by name.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include <optional>

#include "sysentry/syscall_catalogue.hpp"

namespace sysentry {

class Kernel;
struct Process;
class Cpu;
class AddressSpace;
struct PtRegs;

struct SyscallContext {
    Kernel& kernel;
    Process& process;
    SyscallAbi abi;
    std::array<uint64_t, 6> args;  // already truncated to 32 bits for i386
    PtRegs& regs;                  // the caller's saved registers (execve and rt_sigreturn rewrite them)
    struct Exit { int code = 0, signal = 0; };
    std::optional<Exit> exit;      // set by exit/exit_group: the call does not return

    uint64_t arg(int i) const { return args[i]; }
    int iarg(int i) const { return int(args[i]); }
    AddressSpace& mm() const;
    Cpu& cpu() const;
};

using Service = int64_t (*)(SyscallContext&);  // >= 0 result, or -errno

// A service's answer meaning "not yet": the caller blocks and the scheduler
// runs the service again later (pipes, wait4). Outside every errno's range.
constexpr int64_t kRetryLater = -(int64_t(1) << 40);

enum class Support { full, partial };

struct ServiceRow {
    std::string_view name;  // as in the .tbl files
    Service fn;
    Support support = Support::full;
    std::string_view note = "";  // for partial: what is missing
    // Safe for i386 `int $0x80` and x32: same semantics with 32-bit arguments.
    bool compat = false;
};

// One table per family of services.
std::span<const ServiceRow> file_services();
std::span<const ServiceRow> memory_services();
std::span<const ServiceRow> process_services();
std::span<const ServiceRow> lifecycle_services();
std::span<const ServiceRow> info_services();
std::span<const ServiceRow> time_services();
std::span<const ServiceRow> signal_services();
std::span<const ServiceRow> polling_services();
std::span<const ServiceRow> network_services();
std::span<const ServiceRow> timer_services();

}  // namespace sysentry
