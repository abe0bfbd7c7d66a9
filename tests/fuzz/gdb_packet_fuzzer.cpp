// The gdb stub's packet reader on arbitrary bytes from the network: it never
// crashes, never keeps a runaway packet, and whatever it delivers survives a
// round trip through the reply framing (escapes and checksum).
#include <string_view>

#include "fuzz/fuzz_target.hpp"
#include "sysentry/gdb_packet.hpp"

SYSENTRY_FUZZ_TARGET(gdb_packet) {
    using namespace sysentry::gdb;
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    PacketReader reader;
    // Split the input in two reads, as TCP may: the result must not depend on where.
    size_t cut = size ? data[0] % (size + 1) : 0;
    std::vector<Frame> frames = reader.feed(bytes.substr(0, cut));
    for (Frame& f : reader.feed(bytes.substr(cut))) frames.push_back(std::move(f));
    for (const Frame& f : frames) {
        if (f.kind != Frame::Kind::packet) continue;
        SYSENTRY_FUZZ_CHECK(f.payload.size() <= size);
        PacketReader again;
        std::vector<Frame> echoed = again.feed(frame(f.payload));
        SYSENTRY_FUZZ_CHECK(echoed.size() == 1 && echoed[0].kind == Frame::Kind::packet &&
                            echoed[0].payload == f.payload);
        (void)from_hex(f.payload);
        (void)parse_hex(f.payload);
    }
}
