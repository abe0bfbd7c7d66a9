// poll, ppoll, select, pselect6 as strace prints them (strace's poll.c and
// desc.c): the arrays and sets at entry, and the ready ones after " = N (...)".
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "kinds.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry::decode {
namespace {

struct PollFd {  // struct pollfd
    int32_t fd;
    int16_t events, revents;
};
struct Timeval {
    int64_t sec, usec;
};

constexpr XlatEntry kPollFlags[] = {
    {0x1, "POLLIN"},      {0x2, "POLLPRI"},     {0x4, "POLLOUT"},    {0x40, "POLLRDNORM"},
    {0x100, "POLLWRNORM"}, {0x80, "POLLRDBAND"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"},
    {0x2000, "POLLRDHUP"}, {0x8, "POLLERR"},     {0x10, "POLLHUP"},    {0x20, "POLLNVAL"},
};
constexpr size_t kSigsetBytes = 8;       // NSIG_BYTES on x86-64
constexpr int kMaxSelectFds = 1024 * 1024;  // strace's cap on what it reads

std::string format_timeval(const UserMemory& mem, uint64_t va) {
    if (va == 0) return "NULL";
    auto tv = mem.read_value<Timeval>(va);
    if (!tv) return addr(va);
    return fmt::format("{{tv_sec={}, tv_usec={}}}", tv->sec, uint64_t(tv->usec));  // strace: tv_usec unsigned
}

// print_sigset_addr_len: a wrong length shows only the address.
std::string format_sigset_at(const UserMemory& mem, uint64_t va, uint64_t len) {
    if (va == 0) return "NULL";
    if (len != kSigsetBytes) return addr(va);
    auto mask = mem.read_value<uint64_t>(va);
    return mask ? format_sigset(*mask) : addr(va);
}

// [{fd=3, events=POLLIN}, {fd=-1}], at most kStraceMaxStrlen entries.
std::optional<std::string> print_pollfds(const CallView& c, size_t i) {
    const uint64_t va = c.arg(i);
    const uint32_t n = uint32_t(c.arg(i + 1));
    if (va == 0) return "NULL";
    std::string out = "[";
    for (uint32_t k = 0; k < n; ++k) {
        if (k) out += ", ";
        if (k == kStraceMaxStrlen) return out + "...]";
        auto p = c.mem.read_value<PollFd>(va + k * sizeof(PollFd));
        if (!p) return k == 0 ? addr(va) : out + fmt::format("... /* {:#x} */]", va + k * sizeof(PollFd));
        out += fmt::format("{{fd={}", p->fd);
        if (p->fd >= 0) out += ", events=" + format_flags(kPollFlags, uint16_t(p->events), "POLL???");
        out += "}";
    }
    return out + "]";
}

int select_nfds(const CallView& c) { return std::clamp<int>(c.int_arg(0), 0, kMaxSelectFds); }
size_t fdset_bytes(int nfds) { return size_t((nfds + 7) / 8 + 7) & ~size_t(7); }

std::optional<std::vector<uint8_t>> read_fdset(const CallView& c, uint64_t va, int nfds) {
    std::vector<uint8_t> bits(fdset_bytes(nfds));
    if (!c.mem.read(va, bits.data(), bits.size())) return std::nullopt;
    return bits;
}
bool has_fd(const std::vector<uint8_t>& bits, int fd) { return (bits[fd / 8] >> (fd % 8)) & 1; }

// [3 4], NULL, or the address (none at all when nfds is 0).
std::optional<std::string> print_fdset(const CallView& c, size_t i) {
    const int nfds = select_nfds(c);
    if (nfds == 0 || c.arg(i) == 0) return addr(c.arg(i));
    auto bits = read_fdset(c, c.arg(i), nfds);
    if (!bits) return addr(c.arg(i));
    std::string out = "[";
    for (int fd = 0; fd < nfds; ++fd)
        if (has_fd(*bits, fd)) out += (out.size() > 1 ? " " : "") + fmt::format("{}", fd);
    return out + "]";
}

std::optional<std::string> print_timeval_in(const CallView& c, size_t i) { return format_timeval(c.mem, c.arg(i)); }

std::optional<std::string> print_sized_sigset(const CallView& c, size_t i) {
    return format_sigset_at(c.mem, c.arg(i), c.arg(i + 1));
}

// pselect6's sixth argument: {sigmask=[INT], sigsetsize=8}.
std::optional<std::string> print_pselect_sigmask(const CallView& c, size_t i) {
    const uint64_t va = c.arg(i);
    if (va == 0) return "NULL";
    auto data = c.mem.read_value<std::array<uint64_t, 2>>(va);
    if (!data) return addr(va);
    return fmt::format("{{sigmask={}, sigsetsize={}}}", format_sigset_at(c.mem, (*data)[0], (*data)[1]), (*data)[1]);
}

// decode_poll_exiting: the entries with revents, then the time left.
std::string poll_outcome(const CallView& c, uint64_t timeout_va) {
    const uint64_t va = c.arg(0);
    const uint32_t n = uint32_t(c.arg(1));
    std::string out;
    size_t printed = 0;
    for (uint32_t k = 0; va && k < n; ++k) {
        auto p = c.mem.read_value<PollFd>(va + k * sizeof(PollFd));
        if (p && !p->revents) continue;
        out += out.empty() ? "[" : ", ";
        if (!p) {
            out += fmt::format("{:#x}", va + k * sizeof(PollFd));
            break;
        }
        if (printed++ == kStraceMaxStrlen) {
            out += "...";
            break;
        }
        out += fmt::format("{{fd={}, revents={}}}", p->fd, format_flags(kPollFlags, uint16_t(p->revents), ""));
    }
    if (!out.empty()) out += "]";
    if (timeout_va) out += (out.empty() ? "left " : ", left ") + format_timespec(c.mem, timeout_va);
    return out;
}

// decode_select's exit: "in [3], out [4]" up to the count returned, then the
// time left; a "]" follows each set once anything was written (strace's way).
std::string select_outcome(const CallView& c, bool timespec) {
    const int nfds = select_nfds(c);
    int64_t ready = c.ret;
    std::string out, sep;
    constexpr const char* kNames[] = {"in", "out", "except"};
    for (int s = 0; s < 3 && ready > 0; ++s) {
        auto bits = c.arg(s + 1) && nfds ? read_fdset(c, c.arg(s + 1), nfds) : std::nullopt;
        if (!bits) continue;
        bool first = true;
        for (int fd = 0; fd < nfds; ++fd) {
            if (!has_fd(*bits, fd)) continue;
            out += first ? fmt::format("{}{} [{}", sep, kNames[s], fd) : fmt::format(" {}", fd);
            first = false;
            sep = ", ";
            if (--ready == 0) break;
        }
        if (!out.empty()) out += "]";
    }
    if (uint64_t tv = c.arg(4))
        out += sep + "left " + (timespec ? format_timespec(c.mem, tv) : format_timeval(c.mem, tv));
    return out;
}

}  // namespace

const ArgKind kPollFds{When::Entry, print_pollfds};
const ArgKind kFdSet{When::Entry, print_fdset};
const ArgKind kTimevalIn{When::Entry, print_timeval_in};
const ArgKind kSizedSigset{When::Entry, print_sized_sigset};
const ArgKind kPselectSigmask{When::Entry, print_pselect_sigmask};

std::optional<std::string> format_aux_result(Ret kind, const CallView& c) {
    if (c.failed()) return std::nullopt;
    bool polls = kind == Ret::Poll || kind == Ret::Ppoll;
    bool selects = kind == Ret::Select || kind == Ret::Pselect6;
    if (!polls && !selects) return std::nullopt;
    if (c.ret == 0) return "0 (Timeout)";
    std::string detail = polls ? poll_outcome(c, kind == Ret::Ppoll ? c.arg(2) : 0)
                               : select_outcome(c, kind == Ret::Pselect6);
    return detail.empty() ? fmt::format("{}", c.ret) : fmt::format("{} ({})", c.ret, detail);
}

}  // namespace sysentry::decode
