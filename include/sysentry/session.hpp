// One emulated machine with its kernel and sandbox, ready for a program: what
// `run`, `step`, the grader and the tests all start from.
#pragma once
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sysentry/events.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/scratch_root.hpp"

namespace sysentry {

struct SessionOptions {
    // The host directory the guest sees as "/". Unset: a private, empty one,
    // deleted when the session ends.
    std::optional<std::filesystem::path> root;
    KernelConfig kernel;
    MachineConfig machine;
    // A guest kernel ELF to boot instead of the built-in one (e.g. a student's entry stub).
    std::optional<std::vector<uint8_t>> kernel_elf;
};

class Session {
public:
    static std::expected<std::unique_ptr<Session>, std::string> create(const SessionOptions& options);
    ~Session();

    Machine& machine() { return *machine_; }
    Kernel& kernel() { return *kernel_; }
    EventBus& events() { return events_; }
    const std::filesystem::path& root() const { return root_; }

private:
    Session() = default;
    std::optional<ScratchRoot> scratch_;
    std::filesystem::path root_;
    std::unique_ptr<Machine> machine_;
    EventBus events_;
    std::unique_ptr<Kernel> kernel_;
};

}  // namespace sysentry
