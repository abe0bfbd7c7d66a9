// Character devices every guest has, whatever its root holds: /dev/null,
// /dev/zero, /dev/full, /dev/random, /dev/urandom and /dev/tty. Each is the
// host's own device, opened for the guest; none of them reaches a host file.
#pragma once
#include <expected>
#include <optional>
#include <string_view>

namespace sysentry {

// nullopt: not a device path (the sandbox decides). Otherwise a host fd or -errno.
std::optional<std::expected<int, int>> open_device(std::string_view guest_path, int flags);

}  // namespace sysentry
