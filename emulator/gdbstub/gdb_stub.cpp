#include "sysentry/gdb_stub.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

#include "gdb_registers.hpp"
#include "sysentry/gdb_packet.hpp"
#include "sysentry/machine.hpp"

namespace sysentry::gdb {

namespace {

constexpr std::string_view kOk = "OK";
constexpr std::string_view kBadPacket = "E01";
constexpr std::string_view kBadAddress = "E14";  // EFAULT, as gdbserver says it
constexpr size_t kMaxTransfer = 0x4000;          // bytes per m/M packet (PacketSize below)
constexpr size_t kRegisterBuffer = 16;           // the widest register, XMM

// "addr,len" (the part of m, M, Z packets before any ':').
std::optional<std::pair<uint64_t, uint64_t>> address_and_length(std::string_view args) {
    size_t comma = args.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    auto addr = parse_hex(args.substr(0, comma));
    auto len = parse_hex(args.substr(comma + 1));
    if (!addr || !len) return std::nullopt;
    return std::pair{*addr, *len};
}

}  // namespace

std::optional<std::string> Stub::handle(std::string_view p) {
    if (p.empty()) return "";
    switch (p[0]) {
    case '?': return last_stop_;
    case 'g': return read_registers();
    case 'G': return write_registers(p.substr(1));
    case 'p': return read_register(p.substr(1));
    case 'P': return write_register(p.substr(1));
    case 'm': return read_memory(p.substr(1));
    case 'M': return write_memory(p.substr(1));
    case 's':
    case 'c': return resume(p[0]);
    case 'b':
        if (p == "bs" || p == "bc") return resume(p[1] == 's' ? 'S' : 'C');
        return "";
    case 'Z':
    case 'z': return breakpoint(p);
    case 'H': return std::string(kOk);  // one thread: any selection is it
    case 'T': return std::string(kOk);  // thread alive
    case 'D':
        finished_ = true;
        return std::string(kOk);
    case 'k':
        finished_ = true;
        return std::nullopt;
    case 'q':
    case 'Q':
    case 'v': return query(p);
    default: return "";  // unsupported: gdb falls back or says so
    }
}

std::string Stub::query(std::string_view p) {
    if (p.starts_with("qSupported"))
        return fmt::format("PacketSize={:x};qXfer:features:read+;swbreak+;QStartNoAckMode+;"
                           "QCatchSyscalls+;ReverseStep+;ReverseContinue+",
                           kMaxTransfer * 2 + 32);
    if (p.starts_with("qXfer:features:read:")) return target_xml(p.substr(20));
    if (p == "QStartNoAckMode") {
        acks_ = false;
        return std::string(kOk);
    }
    if (p.starts_with("QCatchSyscalls:")) return catch_syscalls(p.substr(15));
    if (p == "qAttached") return "1";
    if (p == "qC") return "QC1";
    if (p == "qfThreadInfo") return "m1";
    if (p == "qsThreadInfo") return "l";
    if (p.starts_with("qSymbol")) return std::string(kOk);
    if (p.starts_with("vKill")) {
        finished_ = true;
        return std::string(kOk);
    }
    return "";
}

std::string Stub::target_xml(std::string_view args) {
    // "target.xml:OFFSET,LENGTH"
    constexpr std::string_view kAnnex = "target.xml:";
    if (!args.starts_with(kAnnex)) return "E00";
    auto range = address_and_length(args.substr(kAnnex.size()));
    if (!range) return std::string(kBadPacket);
    const std::string& xml = target_description();
    if (range->first >= xml.size()) return "l";
    std::string part = xml.substr(range->first, range->second);
    bool last = range->first + part.size() >= xml.size();
    return (last ? "l" : "m") + part;
}

std::string Stub::read_registers() {
    std::string out;
    for (size_t n = 0; n < registers().size(); ++n) out += read_register(fmt::format("{:x}", n));
    return out;
}

std::string Stub::read_register(std::string_view args) {
    auto n = parse_hex(args);
    if (!n || *n >= registers().size()) return std::string(kBadPacket);
    const RegisterInfo& r = registers()[*n];
    if (r.uc_reg == kOrigRax) return to_hex(&syscall_nr_, sizeof syscall_nr_);
    uint8_t buf[kRegisterBuffer] = {};
    if (!c_.session().machine().cpu().read_register_bytes(r.uc_reg, buf)) return std::string(kBadPacket);
    return to_hex(buf, r.bytes);
}

std::string Stub::write_register(std::string_view args) {
    size_t eq = args.find('=');
    if (eq == std::string_view::npos) return std::string(kBadPacket);
    auto n = parse_hex(args.substr(0, eq));
    auto bytes = from_hex(args.substr(eq + 1));
    if (!n || *n >= registers().size() || !bytes) return std::string(kBadPacket);
    const RegisterInfo& r = registers()[*n];
    if (!r.writable || bytes->size() != r.bytes) return std::string(kBadPacket);
    uint8_t buf[kRegisterBuffer] = {};
    std::copy(bytes->begin(), bytes->end(), buf);
    if (!c_.session().machine().cpu().write_register_bytes(r.uc_reg, buf)) return std::string(kBadPacket);
    return std::string(kOk);
}

// G carries every register; the read-only ones (selectors) must be unchanged.
std::string Stub::write_registers(std::string_view hex) {
    size_t offset = 0;
    for (size_t n = 0; n < registers().size() && offset < hex.size(); ++n) {
        const RegisterInfo& r = registers()[n];
        std::string_view value = hex.substr(offset, r.bytes * 2);
        offset += r.bytes * 2;
        if (!r.writable) continue;
        std::string reply = write_register(fmt::format("{:x}={}", n, value));
        if (reply != kOk) return reply;
    }
    return std::string(kOk);
}

// What the engine sees at each address right now: the current process's user
// half and the kernel half. Stops at the first byte that cannot be read.
std::string Stub::read_memory(std::string_view args) {
    auto range = address_and_length(args);
    if (!range) return std::string(kBadPacket);
    auto [address, length] = *range;
    length = std::min<uint64_t>(length, kMaxTransfer);
    std::vector<uint8_t> bytes(length);
    size_t got = 0;
    const Cpu& cpu = c_.session().machine().cpu();
    while (got < length && cpu.read_memory(address + got, &bytes[got], 1)) ++got;
    if (got == 0 && length != 0) return std::string(kBadAddress);
    return to_hex(bytes.data(), got);
}

std::string Stub::write_memory(std::string_view args) {
    size_t colon = args.find(':');
    if (colon == std::string_view::npos) return std::string(kBadPacket);
    auto range = address_and_length(args.substr(0, colon));
    auto bytes = from_hex(args.substr(colon + 1));
    if (!range || !bytes || bytes->size() != range->second) return std::string(kBadPacket);
    Cpu& cpu = c_.session().machine().cpu();
    if (!cpu.write_memory(range->first, bytes->data(), bytes->size())) return std::string(kBadAddress);
    return std::string(kOk);
}

// Z0/Z1 (software and hardware breakpoints alike) become controller breakpoints:
// the guest's code is never patched.
std::string Stub::breakpoint(std::string_view p) {
    if (p.size() < 3 || (p[1] != '0' && p[1] != '1') || p[2] != ',') return "";
    auto range = address_and_length(p.substr(3));
    if (!range) return std::string(kBadPacket);
    uint64_t address = range->first;
    if (p[0] == 'Z') {
        if (!breakpoints_.contains(address)) breakpoints_[address] = c_.add_breakpoint(address);
    } else if (auto it = breakpoints_.find(address); it != breakpoints_.end()) {
        c_.remove(it->second);
        breakpoints_.erase(it);
    }
    return std::string(kOk);
}

// "0" (stop catching) or "1[;NR]...": gdb's `catch syscall [NAME|NR]`.
std::string Stub::catch_syscalls(std::string_view args) {
    for (int n : catches_) c_.remove(n);
    catches_.clear();
    if (args == "0") return std::string(kOk);
    if (!args.starts_with('1')) return std::string(kBadPacket);
    args.remove_prefix(1);
    if (args.empty()) catches_.push_back(c_.add_catch(std::nullopt));
    while (!args.empty()) {
        if (args[0] != ';') return std::string(kBadPacket);
        args.remove_prefix(1);
        size_t end = std::min(args.find(';'), args.size());
        auto nr = parse_hex(args.substr(0, end));
        if (!nr) return std::string(kBadPacket);
        catches_.push_back(c_.add_catch(int64_t(*nr)));
        args.remove_prefix(end);
    }
    return std::string(kOk);
}

// s/c forwards, S/C (bs/bc) backwards. A continue runs in slices of the
// controller's per-command limit, so gdb's Ctrl-C is seen between slices.
std::string Stub::resume(char how) {
    if (!c_.alive()) return last_stop_;
    Stop s;
    switch (how) {
    case 's': s = c_.step(1); break;
    case 'S': s = c_.reverse_step(1); break;
    case 'C': s = c_.reverse_resume(); break;
    default:
        do s = c_.resume();
        while (s.reason == StopReason::limit && !(interrupted_ && interrupted_()));
    }
    last_stop_ = stop_reply(s);
    return last_stop_;
}

std::string Stub::stop_reply(const Stop& s) {
    bool in_call = s.reason == StopReason::syscall_call || s.reason == StopReason::syscall_return;
    syscall_nr_ = in_call ? s.syscall_nr : -1;
    switch (s.reason) {
    case StopReason::ended: {
        const RunResult& r = *s.result;
        if (r.kind == RunResult::Kind::exited) return fmt::format("W{:02x}", r.exit_code & 0xff);
        if (r.kind == RunResult::Kind::killed) return fmt::format("X{:02x}", r.signal);
        return fmt::format("X{:02x}", SIGKILL);  // an oops or a limit ended the machine
    }
    case StopReason::breakpoint: return "T05swbreak:;thread:1;";
    case StopReason::syscall_call: return fmt::format("T05syscall_entry:{:x};thread:1;", s.syscall_nr);
    case StopReason::syscall_return: return fmt::format("T05syscall_return:{:x};thread:1;", s.syscall_nr);
    case StopReason::history_start: return "T05replaylog:begin;thread:1;";
    case StopReason::limit: return fmt::format("T{:02x}thread:1;", SIGINT);
    default: return "T05thread:1;";
    }
}

}  // namespace sysentry::gdb
