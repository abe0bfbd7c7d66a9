#include "sysentry/gdb_packet.hpp"

#include <charconv>

namespace sysentry::gdb {

namespace {

constexpr char kEscape = '}';
constexpr uint8_t kEscapeXor = 0x20;
constexpr char kInterrupt = 0x03;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::vector<Frame> PacketReader::feed(std::string_view bytes) {
    std::vector<Frame> out;
    for (char c : bytes) {
        switch (state_) {
        case State::idle:
            if (c == '$') {
                payload_.clear();
                sum_ = 0;
                state_ = State::payload;
            } else if (c == kInterrupt) {
                out.push_back({Frame::Kind::interrupt, {}});
            }  // '+', '-' and noise between packets are ignored
            break;
        case State::payload:
        case State::escape:
            if (c == '#' && state_ == State::payload) {
                state_ = State::checksum1;
                break;
            }
            sum_ += uint8_t(c);
            if (state_ == State::escape) {
                payload_ += char(c ^ kEscapeXor);
                state_ = State::payload;
            } else if (c == kEscape) {
                state_ = State::escape;
            } else {
                payload_ += c;
            }
            if (payload_.size() > kMaxPacket) state_ = State::idle;
            break;
        case State::checksum1:
            given_ = hex_value(c) << 4;
            state_ = State::checksum2;
            break;
        case State::checksum2: {
            int low = hex_value(c);
            bool ok = given_ >= 0 && low >= 0 && uint8_t(given_ | low) == sum_;
            out.push_back({ok ? Frame::Kind::packet : Frame::Kind::bad_checksum,
                           ok ? std::move(payload_) : std::string{}});
            payload_.clear();
            state_ = State::idle;
            break;
        }
        }
    }
    return out;
}

std::string frame(std::string_view payload) {
    std::string out = "$";
    uint8_t sum = 0;
    auto put = [&](char c) {
        out += c;
        sum += uint8_t(c);
    };
    for (char c : payload) {
        if (c == '#' || c == '$' || c == kEscape || c == '*') {
            put(kEscape);
            put(char(c ^ kEscapeXor));
        } else {
            put(c);
        }
    }
    out += '#';
    out += to_hex(&sum, 1);
    return out;
}

std::string to_hex(const void* bytes, size_t len) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (size_t i = 0; i < len; ++i) {
        uint8_t b = static_cast<const uint8_t*>(bytes)[i];
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::vector<uint8_t> out;
    out.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(uint8_t(hi << 4 | lo));
    }
    return out;
}

std::optional<uint64_t> parse_hex(std::string_view hex) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec != std::errc{} || end != hex.data() + hex.size() || hex.empty()) return std::nullopt;
    return v;
}

}  // namespace sysentry::gdb
