// Networking is out of scope. socket and socketpair fail with EAFNOSUPPORT, the
// answer of a kernel without the address family: programs take it as "no
// network" (glibc's nscd and resolver paths fall back or report the failure
// cleanly), where ENOSYS reads as a broken system. Since no socket can then
// exist, every call on a socket fd gives what Linux gives for a non-socket:
// EBADF for a closed fd, ENOTSOCK otherwise. One warning per run says so.
#include <cerrno>

#include "sysentry/kernel.hpp"
#include "sysentry/process.hpp"
#include "sysentry/services.hpp"

namespace sysentry {

namespace {

constexpr std::string_view kWarning =
    "networking is not modelled: socket(...) and socketpair(...) fail with EAFNOSUPPORT";

int64_t sys_socket(SyscallContext& ctx) {
    ctx.kernel.warn(std::string(kWarning));
    return -EAFNOSUPPORT;
}

// sockfd_lookup(): the fd must be open, and it cannot be a socket.
int64_t on_socket_fd(SyscallContext& ctx) { return ctx.process.fds.get(ctx.iarg(0)) ? -ENOTSOCK : -EBADF; }

constexpr std::string_view kNote = "networking is not modelled: no socket can exist";

const ServiceRow kNetworkServices[] = {
    {"socket", sys_socket, Support::partial, kNote, true},
    {"socketpair", sys_socket, Support::partial, kNote, true},
    {"connect", on_socket_fd, Support::partial, kNote, true},
    {"accept", on_socket_fd, Support::partial, kNote, true},
    {"accept4", on_socket_fd, Support::partial, kNote, true},
    {"bind", on_socket_fd, Support::partial, kNote, true},
    {"listen", on_socket_fd, Support::partial, kNote, true},
    {"shutdown", on_socket_fd, Support::partial, kNote, true},
    {"getsockname", on_socket_fd, Support::partial, kNote, true},
    {"getpeername", on_socket_fd, Support::partial, kNote, true},
    {"sendto", on_socket_fd, Support::partial, kNote, true},
    {"recvfrom", on_socket_fd, Support::partial, kNote, true},
    {"sendmsg", on_socket_fd, Support::partial, kNote},
    {"recvmsg", on_socket_fd, Support::partial, kNote},
    {"sendmmsg", on_socket_fd, Support::partial, kNote},
    {"recvmmsg", on_socket_fd, Support::partial, kNote},
    {"setsockopt", on_socket_fd, Support::partial, kNote},
    {"getsockopt", on_socket_fd, Support::partial, kNote},
};

}  // namespace

std::span<const ServiceRow> network_services() { return kNetworkServices; }

}  // namespace sysentry
