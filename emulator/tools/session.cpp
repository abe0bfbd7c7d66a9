#include "sysentry/session.hpp"

#include <cstring>
#include <fmt/format.h>

namespace sysentry {

namespace {

// The directories an empty root starts with (mode as on a Debian system).
struct RootDirectory {
    const char* name;
    std::filesystem::perms mode;
};
constexpr RootDirectory kDefaultRootDirectories[] = {
    {"proc", std::filesystem::perms(0555)},
    {"dev", std::filesystem::perms(0755)},
    {"tmp", std::filesystem::perms(01777)},
};

std::expected<void, std::string> populate_default_root(const std::filesystem::path& root) {
    for (const RootDirectory& d : kDefaultRootDirectories) {
        std::error_code ec;
        std::filesystem::create_directory(root / d.name, ec);
        if (!ec) std::filesystem::permissions(root / d.name, d.mode, ec);
        if (ec) return std::unexpected(fmt::format("cannot prepare the scratch root: {}", ec.message()));
    }
    return {};
}

}  // namespace

// --root DIR --rw: DIR itself. --root DIR: DIR below a scratch upper layer.
// No --root: a scratch directory, alone.
std::expected<SandboxFs, std::string> Session::open_filesystem(const SessionOptions& options) {
    if (!options.root || !options.writable_root) {
        auto scratch = ScratchRoot::create(options.root ? "sysentry-upper" : "sysentry-root");
        if (!scratch) return std::unexpected(fmt::format("cannot create a scratch root: {}", std::strerror(-scratch.error())));
        scratch_.emplace(std::move(*scratch));
    }
    root_ = options.root ? *options.root : scratch_->path();
    if (!options.root) {
        if (auto made = populate_default_root(root_); !made) return std::unexpected(made.error());
    }
    auto fs = (options.root && !options.writable_root) ? SandboxFs::open_overlay(root_, scratch_->path())
                                                       : SandboxFs::open_root(root_);
    if (!fs) return std::unexpected(fmt::format("{}: cannot use as the guest root: {}", root_.string(),
                                                std::strerror(-fs.error())));
    return std::move(*fs);
}

std::expected<std::unique_ptr<Session>, std::string> Session::create(const SessionOptions& options) {
    std::unique_ptr<Session> s(new Session());
    auto fs = s->open_filesystem(options);
    if (!fs) return std::unexpected(fs.error());
    std::span<const uint8_t> kernel = options.kernel_elf ? std::span<const uint8_t>(*options.kernel_elf)
                                                         : builtin_kernel_elf(options.kernel_profile);
    auto machine = Machine::create(options.machine, kernel);
    if (!machine) return std::unexpected(machine.error());
    s->machine_ = std::move(*machine);
    if (options.before_kernel) options.before_kernel(*s->machine_);
    s->kernel_ = std::make_unique<Kernel>(*s->machine_, s->events_, std::move(*fs), options.kernel);
    s->probe_ = std::make_unique<InstructionProbe>(*s->machine_, s->events_);
    return s;
}

Session::~Session() {
    probe_.reset();  // its hook belongs to the machine's engine
    kernel_.reset();  // processes hold guest memory and host fds; go before the machine
    machine_.reset();
}

}  // namespace sysentry
