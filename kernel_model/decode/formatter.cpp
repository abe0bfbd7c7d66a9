// SyscallFormatter: walks a table row, printing inputs at entry and the rest
// at exit, then pads to strace's result column.
#include <fmt/format.h>

#include "decode.hpp"
#include "sysentry/strace_format.hpp"

namespace sysentry {
namespace {

constexpr size_t kRawArgCount = 6;  // unknown syscalls: all six registers in hex

// strace: ") " after the arguments, then spaces up to column 40.
std::string pad_to_result(std::string line) {
    line += ' ';
    if (line.size() < kStraceResultColumn) line.append(kStraceResultColumn - line.size(), ' ');
    return line;
}

}  // namespace

void SyscallFormatter::on_entry(std::string_view name, const std::array<uint64_t, 6>& args,
                                const UserMemory& mem, uint64_t user_sp) {
    name_ = std::string(name);
    args_ = args;
    row_ = decode::find_row(name);
    entry_text_ = name_ + "(";
    next_arg_ = 0;
    need_separator_ = false;

    const decode::CallView call{args_, mem, 0, false, user_sp};
    if (row_ == nullptr) {
        for (size_t i = 0; i < kRawArgCount; ++i)
            entry_text_ += (i ? ", " : "") + decode::hex(args_[i]);
        next_arg_ = kRawArgCount;
        return;
    }
    const size_t n = row_->nargs();
    for (; next_arg_ < n; ++next_arg_) {
        const decode::ArgKind* kind = row_->args[next_arg_];
        if (kind->when != decode::When::Entry) {
            // strace has already printed the separator when it stops at an output.
            if (need_separator_) entry_text_ += ", ";
            need_separator_ = false;
            return;
        }
        if (auto s = kind->print(call, next_arg_)) {
            if (need_separator_) entry_text_ += ", ";
            entry_text_ += *s;
            need_separator_ = true;
        }
    }
}

// Everything after the entry text up to and including ")".
std::string SyscallFormatter::exit_part(int64_t ret, const UserMemory& mem) {
    std::string out;
    if (row_ == nullptr) return ")";
    const decode::CallView call{args_, mem, ret, true};
    bool separator = need_separator_;
    for (size_t i = next_arg_; i < row_->nargs(); ++i) {
        const decode::ArgKind* kind = row_->args[i];
        std::optional<std::string> s;
        if (kind->when == decode::When::ExitOnSuccess && call.failed())
            s = decode::addr(args_[i]);
        else
            s = kind->print(call, i);
        if (!s) continue;
        if (separator) out += ", ";
        out += *s;
        separator = true;
    }
    return out + ")";
}

std::string SyscallFormatter::finish(std::string line, int64_t ret, const UserMemory& mem) const {
    line = pad_to_result(std::move(line));
    const decode::Ret kind = row_ ? row_->ret : decode::Ret::Dec;
    if (auto aux = decode::format_aux_result(kind, decode::CallView{args_, mem, ret, true})) return line + "= " + *aux;
    return line + "= " + decode::format_result(kind, args_, ret);
}

std::string SyscallFormatter::on_exit(int64_t ret, const UserMemory& mem) {
    return finish(prefix_ + entry_text_ + exit_part(ret, mem), ret, mem);
}

std::string SyscallFormatter::resumed(int64_t ret, const UserMemory& mem) {
    return finish(prefix_ + "<... " + name_ + " resumed>" + exit_part(ret, mem), ret, mem);
}

std::string SyscallFormatter::unfinished() const { return prefix_ + entry_text_ + " <unfinished ...>"; }

// A call cut short before its outputs were known reads "read(3,  <unfinished ...>) = ?".
std::string SyscallFormatter::unfinished_no_return() const {
    const bool complete = row_ == nullptr || next_arg_ >= row_->nargs();
    return pad_to_result(prefix_ + entry_text_ + (complete ? ")" : " <unfinished ...>)")) + "= ?";
}

// strace's print_event_exit: " <unfinished ...>" only when outputs were still to be printed.
std::string SyscallFormatter::resumed_no_return() const {
    const bool complete = row_ == nullptr || next_arg_ >= row_->nargs();
    return pad_to_result(prefix_ + "<... " + name_ + " resumed>" + (complete ? ")" : " <unfinished ...>)")) + "= ?";
}

}  // namespace sysentry
