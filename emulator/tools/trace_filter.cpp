#include "sysentry/trace_filter.hpp"

#include <fmt/format.h>

#include "sysentry/syscall_catalogue.hpp"

namespace sysentry {
namespace {

std::set<std::string> every_call() {
    std::set<std::string> all;
    for (const SyscallEntry& e : syscall_catalogue())
        if (e.abi == SyscallAbi::x86_64 && e.entry != "sys_ni_syscall") all.emplace(e.name);
    return all;
}

// One element of the list into `into`; an error names what is wrong.
std::expected<void, std::string> add_element(std::string_view item, std::set<std::string>& into) {
    if (item == "all") {
        into.merge(every_call());
        return {};
    }
    if (item == "none") return {};
    bool optional = item.starts_with('?');
    if (optional) item.remove_prefix(1);
    std::string_view bare = item.starts_with('%') ? item.substr(1) : item;
    if (auto cls = strace_class(bare); cls && (item.starts_with('%') || !syscall_number(SyscallAbi::x86_64, item))) {
        for (const std::string& name : every_call())
            if (strace_classes(name) & *cls) into.insert(name);
        return {};
    }
    if (syscall_number(SyscallAbi::x86_64, item)) {
        into.emplace(item);
        return {};
    }
    if (optional) return {};
    if (item.starts_with('%')) return std::unexpected(fmt::format("invalid system call class '{}'", item));
    return std::unexpected(fmt::format("invalid system call '{}'", item));
}

}  // namespace

std::expected<std::set<std::string>, std::string> parse_trace_set(std::string_view set) {
    bool negate = set.starts_with('!');
    if (negate) set.remove_prefix(1);
    if (set.empty()) return std::unexpected("no system call named");
    std::set<std::string> chosen;
    for (size_t at = 0; at <= set.size();) {
        size_t comma = std::min(set.find(',', at), set.size());
        std::string_view item = set.substr(at, comma - at);
        if (item.empty()) return std::unexpected("empty element in the list");
        if (auto ok = add_element(item, chosen); !ok) return std::unexpected(ok.error());
        at = comma + 1;
    }
    if (!negate) return chosen;
    std::set<std::string> rest;
    for (std::string name : every_call())
        if (!chosen.contains(name)) rest.insert(std::move(name));
    return rest;
}

}  // namespace sysentry
