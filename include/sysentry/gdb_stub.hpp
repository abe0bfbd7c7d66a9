// A gdb remote stub: answers Remote Serial Protocol packets by driving an
// ExecutionController, so a real gdb can read and write registers (segment
// registers and fs_base/gs_base included) and memory in both halves, stepi
// across SYSCALL into entry_SYSCALL_64, set breakpoints, catch syscalls,
// step backwards and continue to the guest's exit.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysentry/execution_controller.hpp"

namespace sysentry::gdb {

class Stub {
public:
    explicit Stub(ExecutionController& controller) : c_(controller) {}

    // The reply's payload for one packet (unframed); nullopt when the protocol
    // wants none (after `k`).
    std::optional<std::string> handle(std::string_view packet);

    bool finished() const { return finished_; }  // gdb detached or killed the guest
    bool acks() const { return acks_; }           // false after QStartNoAckMode
    // A continue runs in slices; between them the server asks this whether gdb
    // sent an interrupt (Ctrl-C).
    void set_interrupt_check(std::function<bool()> check) { interrupted_ = std::move(check); }
    // Guest output produced by the last command (for the server's stdout).
    std::string take_output() { return c_.take_output(); }

private:
    std::string query(std::string_view packet);
    std::string read_registers();
    std::string write_registers(std::string_view hex);
    std::string read_register(std::string_view args);
    std::string write_register(std::string_view args);
    std::string read_memory(std::string_view args);
    std::string write_memory(std::string_view args);
    std::string breakpoint(std::string_view packet);
    std::string catch_syscalls(std::string_view args);
    std::string target_xml(std::string_view args);
    std::string resume(char how);
    std::string stop_reply(const Stop& s);

    ExecutionController& c_;
    std::map<uint64_t, int> breakpoints_;  // address -> controller number
    std::vector<int> catches_;
    std::string last_stop_ = "S05";
    int64_t syscall_nr_ = -1;  // what orig_rax reads: the caught call, else -1
    std::function<bool()> interrupted_;
    bool finished_ = false;
    bool acks_ = true;
};

}  // namespace sysentry::gdb
