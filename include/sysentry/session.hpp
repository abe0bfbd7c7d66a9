// One emulated machine with its kernel and sandbox, ready for a program: what
// `run`, `step`, the grader and the tests all start from.
#pragma once
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sysentry/events.hpp"
#include "sysentry/instruction_probe.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/kernel_profile.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/scratch_root.hpp"

namespace sysentry {

struct SessionOptions {
    // The host directory the guest sees as "/". Unset: a private one holding
    // only /proc, /dev and /tmp, deleted when the session ends.
    std::optional<std::filesystem::path> root;
    // false: `root` is never written; the guest's changes live in a private
    // copy-on-write layer deleted when the session ends. true: they land in `root`.
    bool writable_root = false;
    KernelConfig kernel;
    MachineConfig machine;
    // A guest kernel ELF to boot instead of the built-in one (e.g. a student's entry stub).
    std::optional<std::vector<uint8_t>> kernel_elf;
    // Which built-in kernel boots when kernel_elf is unset: the seed's syscall_init or today's.
    KernelProfile kernel_profile = KernelProfile::seed;
    // Called once the machine exists, before the kernel model adds its hooks: a
    // debugger's per-instruction hook added here sees each instruction first.
    std::function<void(Machine&)> before_kernel;
};

class Session {
public:
    static std::expected<std::unique_ptr<Session>, std::string> create(const SessionOptions& options);
    ~Session();

    Machine& machine() { return *machine_; }
    Kernel& kernel() { return *kernel_; }
    EventBus& events() { return events_; }
    // The host directory the guest sees as "/" (its lower layer when copy-on-write).
    const std::filesystem::path& root() const { return root_; }

private:
    Session() = default;
    std::expected<SandboxFs, std::string> open_filesystem(const SessionOptions& options);
    std::optional<ScratchRoot> scratch_;
    std::filesystem::path root_;
    std::unique_ptr<Machine> machine_;
    EventBus events_;
    std::unique_ptr<Kernel> kernel_;
    std::unique_ptr<InstructionProbe> probe_;  // hooks in only while a tool asks for instructions
};

}  // namespace sysentry
