#include "sysentry/gdb_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>

#include "sysentry/gdb_packet.hpp"

namespace sysentry::gdb {

namespace {

// A socket, closed when it goes.
class Socket {
public:
    explicit Socket(int fd = -1) : fd_(fd) {}
    Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    ~Socket() {
        if (fd_ >= 0) close(fd_);
    }
    int fd() const { return fd_; }

private:
    int fd_;
};

std::string os_error(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

bool readable(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, timeout_ms) > 0;
}

std::expected<Socket, std::string> listen_on_loopback(uint16_t& port) {
    Socket s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (s.fd() < 0) return std::unexpected(os_error("socket"));
    int one = 1;
    setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // never reachable from another machine
    addr.sin_port = htons(port);
    if (bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return std::unexpected(os_error("bind"));
    if (listen(s.fd(), 1) < 0) return std::unexpected(os_error("listen"));
    socklen_t len = sizeof addr;
    getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    return s;
}

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        bytes.remove_prefix(size_t(n));
    }
    return true;
}

void forward_output(Stub& stub) {
    std::string out = stub.take_output();
    if (out.empty()) return;
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}

// Answers each frame; false once the session is over.
bool answer(Stub& stub, int fd, const Frame& f) {
    if (f.kind == Frame::Kind::bad_checksum) return send_all(fd, "-");
    if (f.kind == Frame::Kind::interrupt) return true;  // already stopped
    if (stub.acks() && !send_all(fd, "+")) return false;
    std::optional<std::string> reply = stub.handle(f.payload);
    forward_output(stub);
    if (reply && !send_all(fd, frame(*reply))) return false;
    return !stub.finished();
}

}  // namespace

std::expected<void, std::string> serve(Stub& stub, const ServerOptions& options) {
    uint16_t port = options.port;
    auto listener = listen_on_loopback(port);
    if (!listener) return std::unexpected(listener.error());
    if (options.on_listening) options.on_listening(port);
    if (!readable(listener->fd(), options.accept_timeout_s * 1000))
        return std::unexpected(fmt::format("no gdb connected within {} s", options.accept_timeout_s));
    Socket conn(accept4(listener->fd(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.fd() < 0) return std::unexpected(os_error("accept"));
    int one = 1;
    setsockopt(conn.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    PacketReader reader;
    std::vector<Frame> pending;
    stub.set_interrupt_check([&] {
        if (!readable(conn.fd(), 0)) return false;
        char buf[256];
        ssize_t n = recv(conn.fd(), buf, sizeof buf, 0);
        if (n <= 0) return true;  // gdb went away: stop running for it
        bool interrupt = false;
        for (Frame& f : reader.feed({buf, size_t(n)})) {
            if (f.kind == Frame::Kind::interrupt) interrupt = true;
            else pending.push_back(std::move(f));
        }
        return interrupt;
    });
    char buf[4096];
    for (;;) {
        for (Frame& f : std::exchange(pending, {}))
            if (!answer(stub, conn.fd(), f)) return {};
        if (!readable(conn.fd(), options.idle_timeout_s * 1000))
            return std::unexpected(fmt::format("gdb sent nothing for {} s", options.idle_timeout_s));
        ssize_t n = recv(conn.fd(), buf, sizeof buf, 0);
        if (n <= 0) return {};  // gdb closed the connection
        for (Frame& f : reader.feed({buf, size_t(n)})) pending.push_back(std::move(f));
    }
}

}  // namespace sysentry::gdb
