#include "sysentry/session.hpp"

#include <cstring>
#include <fmt/format.h>

namespace sysentry {

std::expected<std::unique_ptr<Session>, std::string> Session::create(const SessionOptions& options) {
    std::unique_ptr<Session> s(new Session());
    if (options.root) {
        s->root_ = *options.root;
    } else {
        auto scratch = ScratchRoot::create();
        if (!scratch) return std::unexpected(fmt::format("cannot create a scratch root: {}", std::strerror(-scratch.error())));
        s->scratch_.emplace(std::move(*scratch));
        s->root_ = s->scratch_->path();
    }
    auto fs = SandboxFs::open_root(s->root_);
    if (!fs) return std::unexpected(fmt::format("{}: cannot use as the guest root: {}", s->root_.string(),
                                                std::strerror(-fs.error())));
    std::span<const uint8_t> kernel = options.kernel_elf ? std::span<const uint8_t>(*options.kernel_elf)
                                                         : builtin_kernel_elf();
    auto machine = Machine::create(options.machine, kernel);
    if (!machine) return std::unexpected(machine.error());
    s->machine_ = std::move(*machine);
    s->kernel_ = std::make_unique<Kernel>(*s->machine_, s->events_, std::move(*fs), options.kernel);
    return s;
}

Session::~Session() {
    kernel_.reset();  // processes hold guest memory and host fds; go before the machine
    machine_.reset();
}

}  // namespace sysentry
