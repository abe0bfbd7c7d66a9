#include "sysentry/dispatcher.hpp"

#include <map>
#include <string>

namespace sysentry {

static std::map<std::string_view, const ServiceRow*> services_by_name() {
    std::map<std::string_view, const ServiceRow*> out;
    for (auto family : {file_services(), memory_services(), process_services(), lifecycle_services(), info_services(),
                        time_services(), signal_services(), polling_services(), network_services(),
                        timer_services()}) {
        for (const ServiceRow& row : family) out.emplace(row.name, &row);
    }
    return out;
}

Dispatcher::Dispatcher() {
    auto services = services_by_name();
    for (const SyscallEntry& e : syscall_catalogue()) {
        auto& table = tables_[size_t(e.abi)];
        if (table.size() <= size_t(e.nr)) table.resize(e.nr + 1, SupportStatus{nullptr, nullptr});
        const ServiceRow* row = nullptr;
        if (auto it = services.find(e.name); it != services.end()) row = it->second;
        // The same name serves other ABIs only where the semantics carry over.
        if (row && e.abi != SyscallAbi::x86_64 && !row->compat) row = nullptr;
        if (e.entry == "sys_ni_syscall") row = nullptr;
        table[e.nr] = {&e, row};
    }
}

SupportStatus Dispatcher::lookup(SyscallAbi abi, int64_t nr) const {
    const auto& table = tables_[size_t(abi)];
    if (nr < 0 || size_t(nr) >= table.size()) return {nullptr, nullptr};
    return table[nr];
}

}  // namespace sysentry
