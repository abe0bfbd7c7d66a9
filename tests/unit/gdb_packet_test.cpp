// The gdb stub's framing: checksums, escapes, split reads, junk and interrupts.
#include <gtest/gtest.h>

#include "sysentry/gdb_packet.hpp"

namespace sysentry::gdb {
namespace {

TEST(GdbPacket, ReadsAFramedPacketAndChecksIt) {
    PacketReader r;
    // The checksum is the byte sum modulo 256 of the payload: 0x8b here.
    auto frames = r.feed("+$qSupported:swbreak+#8b");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].kind, Frame::Kind::packet);
    EXPECT_EQ(frames[0].payload, "qSupported:swbreak+");
    EXPECT_EQ(frame("qSupported:swbreak+"), "$qSupported:swbreak+#8b");
}

TEST(GdbPacket, WrongChecksumIsReportedNotDelivered) {
    PacketReader r;
    auto frames = r.feed("$g#00");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].kind, Frame::Kind::bad_checksum);
    EXPECT_TRUE(frames[0].payload.empty());
    EXPECT_EQ(r.feed("$g#67").at(0).kind, Frame::Kind::packet);  // 'g' = 0x67
}

TEST(GdbPacket, APacketMayArriveInPieces) {
    PacketReader r;
    std::string whole = frame("m401000,10");
    std::vector<Frame> got;
    for (char c : whole)
        for (Frame& f : r.feed(std::string_view(&c, 1))) got.push_back(f);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload, "m401000,10");
}

TEST(GdbPacket, EscapesRoundTrip) {
    std::string payload = "X1,4:#$}*";
    std::string framed = frame(payload);
    EXPECT_EQ(framed.find_first_of("#$*", 1), framed.size() - 3) << framed;  // only the trailer's '#'
    PacketReader r;
    auto frames = r.feed(framed);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].payload, payload);
}

TEST(GdbPacket, InterruptByteBetweenPackets) {
    PacketReader r;
    auto frames = r.feed(std::string("\x03", 1) + frame("?"));
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].kind, Frame::Kind::interrupt);
    EXPECT_EQ(frames[1].payload, "?");
}

TEST(GdbPacket, JunkNeverCrashesAndTheNextPacketStillArrives) {
    PacketReader r;
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk += char(i * 37);
    r.feed(junk);
    r.feed("#zz");  // a stray trailer with non-hex checksum digits
    auto frames = r.feed(frame("g"));
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().payload, "g");
}

TEST(GdbPacket, HexHelpers) {
    uint8_t bytes[] = {0x00, 0x7f, 0xff};
    EXPECT_EQ(to_hex(bytes, 3), "007fff");
    EXPECT_EQ(from_hex("007fFF"), (std::vector<uint8_t>{0x00, 0x7f, 0xff}));
    EXPECT_FALSE(from_hex("0"));
    EXPECT_FALSE(from_hex("zz"));
    EXPECT_EQ(parse_hex("ffffffff81000000"), 0xffffffff81000000ull);
    EXPECT_FALSE(parse_hex(""));
    EXPECT_FALSE(parse_hex("12g"));
}

}  // namespace
}  // namespace sysentry::gdb
