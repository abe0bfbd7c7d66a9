// strace's -e trace=SET: which system calls a trace shows. SET is a comma list
// of names, classes (%file, %process, %network, %signal, %ipc, %desc, %memory,
// %creds, %clock, %pure, %stat...), "all" or "none"; a leading '!' negates it;
// a name after '?' is skipped when unknown instead of being an error.
#pragma once
#include <expected>
#include <set>
#include <string>
#include <string_view>

namespace sysentry {

// The x86-64 names SET selects (spec without "trace="), or why it is invalid.
std::expected<std::set<std::string>, std::string> parse_trace_set(std::string_view set);

}  // namespace sysentry
