// gdb's view of the x86-64 register file: the order of the `g` packet, each
// register's size, and the target description built from the same table.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace sysentry::gdb {

// Not an engine register: the system call being caught, or -1 (Linux's pt_regs->orig_ax).
constexpr int kOrigRax = -1;

struct RegisterInfo {
    std::string_view name;
    int uc_reg;          // UC_X86_REG_*
    size_t bytes;        // as gdb transfers it
    std::string_view type;
    std::string_view feature;  // org.gnu.gdb.i386.<feature>
    bool writable;
};

// Index = gdb's register number.
std::span<const RegisterInfo> registers();

// The target.xml gdb reads with qXfer:features:read.
const std::string& target_description();

}  // namespace sysentry::gdb
