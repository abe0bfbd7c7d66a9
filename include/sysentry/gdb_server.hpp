// The gdb stub's transport: one TCP connection on 127.0.0.1, framed packets in,
// replies out. Bounded waits everywhere, so a missing or silent gdb never
// leaves the process hanging.
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <string>

#include "sysentry/gdb_stub.hpp"

namespace sysentry::gdb {

struct ServerOptions {
    uint16_t port = 0;              // 0: the kernel picks a free one
    int accept_timeout_s = 60;      // for gdb to connect
    int idle_timeout_s = 600;       // for gdb's next packet
    // Called once listening, with the port (the CLI prints it).
    std::function<void(uint16_t)> on_listening;
};

// Serves one gdb session to its end (detach, kill, or the connection closing).
// An error: the socket could not be set up, or gdb never came or went silent.
std::expected<void, std::string> serve(Stub& stub, const ServerOptions& options);

}  // namespace sysentry::gdb
