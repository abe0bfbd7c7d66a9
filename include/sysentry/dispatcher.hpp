// The syscall tables as arrays indexed by number, one per ABI, built once from
// the generated catalogue and the service rows. Holes and unimplemented rows
// fall through to -ENOSYS, as Linux's sys_ni_syscall.
#pragma once
#include <optional>
#include <vector>

#include "sysentry/services.hpp"

namespace sysentry {

struct SupportStatus {
    const SyscallEntry* entry;  // nullptr: no such number
    const ServiceRow* service;  // nullptr: returns -ENOSYS
};

class Dispatcher {
public:
    Dispatcher();
    SupportStatus lookup(SyscallAbi abi, int64_t nr) const;

private:
    std::array<std::vector<SupportStatus>, 3> tables_;  // indexed by SyscallAbi
};

}  // namespace sysentry
