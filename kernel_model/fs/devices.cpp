#include "sysentry/devices.hpp"

#include <fcntl.h>

#include <cerrno>
#include <filesystem>
#include <string>

namespace sysentry {

std::optional<std::expected<int, int>> open_device(std::string_view guest_path, int flags) {
    static constexpr std::string_view kDevices[] = {"/dev/null", "/dev/zero", "/dev/full",
                                                    "/dev/random", "/dev/urandom", "/dev/tty"};
    std::string path = std::filesystem::path(guest_path).lexically_normal().string();
    for (std::string_view dev : kDevices) {
        if (path != dev) continue;
        // Only the access mode and a few harmless flags pass: no O_CREAT/O_TRUNC games.
        int allowed = flags & (O_ACCMODE | O_NONBLOCK | O_NOCTTY | O_APPEND);
        int fd = ::open(std::string(dev).c_str(), allowed | O_CLOEXEC);
        if (fd < 0) return std::unexpected(-errno);
        return fd;
    }
    return std::nullopt;
}

}  // namespace sysentry
