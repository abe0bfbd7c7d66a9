// The gdb Remote Serial Protocol's framing: `$payload#cs` packets, `+`/`-`
// acknowledgements, the 0x03 interrupt byte, and the escapes in binary data.
// Pure functions of bytes, so a fuzz harness and unit tests can drive them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysentry::gdb {

// What the reader found in the bytes gdb sent.
struct Frame {
    enum class Kind { packet, bad_checksum, interrupt } kind;
    std::string payload;  // packet: unescaped
};

// Accumulates bytes across reads; a packet may arrive in pieces.
class PacketReader {
public:
    std::vector<Frame> feed(std::string_view bytes);

private:
    enum class State { idle, payload, escape, checksum1, checksum2 } state_ = State::idle;
    std::string payload_;
    uint8_t sum_ = 0;
    int given_ = 0;
    static constexpr size_t kMaxPacket = 1 << 20;  // a runaway packet is dropped, not kept
};

// "$payload#cs", with `#`, `$`, `}` and `*` escaped.
std::string frame(std::string_view payload);

// Hex helpers for the protocol's encodings.
std::string to_hex(const void* bytes, size_t len);
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);
std::optional<uint64_t> parse_hex(std::string_view hex);

}  // namespace sysentry::gdb
