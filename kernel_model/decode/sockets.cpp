// socket and socketpair as strace prints them (strace's net.c): the family,
// the type with its flags, and the protocol named after the family.
#include <fmt/format.h>

#include "kinds.hpp"

namespace sysentry::decode {
namespace {

constexpr XlatEntry kFamilies[] = {
    {0, "AF_UNSPEC"},   {1, "AF_UNIX"},      {2, "AF_INET"},    {3, "AF_AX25"},   {4, "AF_IPX"},
    {5, "AF_APPLETALK"}, {9, "AF_X25"},      {10, "AF_INET6"},  {16, "AF_NETLINK"}, {17, "AF_PACKET"},
    {29, "AF_CAN"},     {31, "AF_BLUETOOTH"}, {38, "AF_ALG"},   {40, "AF_VSOCK"}, {44, "AF_XDP"},
};
constexpr XlatEntry kTypes[] = {
    {1, "SOCK_STREAM"}, {2, "SOCK_DGRAM"}, {3, "SOCK_RAW"}, {4, "SOCK_RDM"}, {5, "SOCK_SEQPACKET"},
    {6, "SOCK_DCCP"},   {10, "SOCK_PACKET"},
};
constexpr XlatEntry kTypeFlags[] = {{02000000, "SOCK_CLOEXEC"}, {04000, "SOCK_NONBLOCK"}};
constexpr XlatEntry kInetProtocols[] = {
    {0, "IPPROTO_IP"},   {1, "IPPROTO_ICMP"},  {6, "IPPROTO_TCP"},    {17, "IPPROTO_UDP"},
    {41, "IPPROTO_IPV6"}, {58, "IPPROTO_ICMPV6"}, {132, "IPPROTO_SCTP"}, {255, "IPPROTO_RAW"},
};
constexpr XlatEntry kNetlinkProtocols[] = {
    {0, "NETLINK_ROUTE"}, {4, "NETLINK_SOCK_DIAG"}, {9, "NETLINK_AUDIT"}, {15, "NETLINK_KOBJECT_UEVENT"},
};
constexpr uint64_t kTypeMask = 0xf;
constexpr int kAfInet = 2, kAfInet6 = 10, kAfNetlink = 16;

std::optional<std::string> print_family(const CallView& c, size_t i) {
    return format_xval(kFamilies, uint32_t(c.arg(i)), "AF_???");
}

std::optional<std::string> print_type(const CallView& c, size_t i) {
    const uint32_t type = uint32_t(c.arg(i));
    std::string out = format_xval(kTypes, type & kTypeMask, "SOCK_???");
    if (uint32_t flags = type & ~uint32_t(kTypeMask)) out += "|" + format_flags(kTypeFlags, flags, "");
    return out;
}

std::optional<std::string> print_protocol(const CallView& c, size_t i) {
    const int family = c.int_arg(0);
    const uint32_t proto = uint32_t(c.arg(i));
    if (family == kAfInet || family == kAfInet6) return format_xval(kInetProtocols, proto, "IPPROTO_???");
    if (family == kAfNetlink) return format_xval(kNetlinkProtocols, proto, "NETLINK_???");
    return fmt::format("{}", proto);
}

}  // namespace

const ArgKind kSocketFamily{When::Entry, print_family};
const ArgKind kSocketType{When::Entry, print_type};
const ArgKind kSocketProtocol{When::Entry, print_protocol};

}  // namespace sysentry::decode
