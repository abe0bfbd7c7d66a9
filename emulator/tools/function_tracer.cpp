#include "sysentry/function_tracer.hpp"

#include <fmt/format.h>

#include "sysentry/disassembler.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"

namespace sysentry {

// How ltrace's libc.conf describes a function: one letter per argument
// (s string, f printf format + its arguments, b buffer sized by the next
// argument, d int, u unsigned long, x hex, p pointer, o octal, c char) and one
// for the result (the same, v void, n never returns).
struct FunctionTracer::Prototype {
    const char* name;
    const char* args;
    char ret;
};

namespace {

using Prototype = FunctionTracer::Prototype;

// ltrace's default -a: results start at column 50.
constexpr size_t kLtraceResultColumn = 50;
// ltrace's default -s: at most 32 characters of a string.
constexpr size_t kLtraceMaxStrlen = 32;

constexpr Prototype kPrototypes[] = {
    {"puts", "s", 'd'},       {"printf", "f", 'd'},      {"fprintf", "pf", 'd'},     {"dprintf", "df", 'd'},
    {"sprintf", "pf", 'd'},   {"snprintf", "puf", 'd'},  {"putchar", "c", 'd'},      {"fputs", "sp", 'd'},
    {"fwrite", "puup", 'u'},  {"fflush", "p", 'd'},      {"fopen", "ss", 'p'},       {"fclose", "p", 'd'},
    {"perror", "s", 'v'},     {"strlen", "s", 'u'},      {"strcpy", "ps", 'p'},      {"strncpy", "psu", 'p'},
    {"strcat", "ps", 'p'},    {"strcmp", "ss", 'd'},     {"strncmp", "ssu", 'd'},    {"strdup", "s", 's'},
    {"strchr", "sc", 'p'},    {"atoi", "s", 'd'},        {"malloc", "u", 'p'},       {"calloc", "uu", 'p'},
    {"realloc", "pu", 'p'},   {"free", "p", 'v'},        {"memcpy", "ppu", 'p'},     {"memmove", "ppu", 'p'},
    {"memset", "pcu", 'p'},   {"memcmp", "ppu", 'd'},    {"open", "sdo", 'd'},       {"read", "dpu", 'd'},
    {"write", "dbu", 'd'},    {"close", "d", 'd'},       {"getpid", "", 'd'},        {"sleep", "u", 'u'},
    {"exit", "d", 'n'},       {"_exit", "d", 'n'},       {"abort", "", 'n'},
};

const Prototype* find_prototype(std::string_view name) {
    for (const Prototype& p : kPrototypes)
        if (name == p.name) return &p;
    return nullptr;
}

// C-style quoting, cut after kLtraceMaxStrlen characters as ltrace does.
std::string quote(std::string_view s, bool cut) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size() && i < kLtraceMaxStrlen; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        default: out += (c >= 0x20 && c < 0x7f) ? std::string(1, char(c)) : fmt::format("\\{:03o}", c);
        }
    }
    out += '"';
    if (cut || s.size() > kLtraceMaxStrlen) out += "...";
    return out;
}

}  // namespace

const std::set<std::string>& FunctionTracer::default_functions() {
    static const std::set<std::string> names = [] {
        std::set<std::string> s;
        for (const Prototype& p : kPrototypes) s.insert(p.name);
        return s;
    }();
    return names;
}

FunctionTracer::FunctionTracer(Kernel& kernel, const Program& program, std::set<std::string> names, FILE* out)
    : kernel_(kernel), out_(out) {
    if (names.empty()) names = default_functions();
    std::set<uint64_t> seen;
    for (const ElfSymbol& s : program.image.symbols)
        if (s.is_function && s.name == "main") main_address_ = s.value;
    if (main_address_) names.insert("main");
    for (const ElfSymbol& s : program.image.symbols) {
        if (!s.is_function || !names.contains(s.name) || s.value == 0 || !seen.insert(s.value).second) continue;
        hook_function(program, s.name, s.value, s.size);
    }
}

// The bytes of [address, address+size) as the ELF file holds them.
static std::span<const uint8_t> code_of(const Program& program, uint64_t address, uint64_t size) {
    for (const ElfSegment& seg : program.image.loads) {
        if (address < seg.vaddr || address + size > seg.vaddr + seg.filesz) continue;
        uint64_t offset = seg.file_offset + (address - seg.vaddr);
        if (offset + size > program.bytes.size()) return {};
        return {program.bytes.data() + offset, size};
    }
    return {};
}

void FunctionTracer::hook_function(const Program& program, const std::string& name, uint64_t address, uint64_t size) {
    Function& f = functions_[address] = Function{name, find_prototype(name)};
    if (address != main_address_) traced_.push_back(name);
    Cpu& cpu = kernel_.machine().cpu();
    hooks_.push_back(cpu.hook_code(&FunctionTracer::on_entry_hook, this, address, address));
    static const Disassembler disassembler;
    for (const Instruction& i : disassembler.all(code_of(program, address, size), address)) {
        if (i.mnemonic != "ret" && i.mnemonic != "retq" && !i.mnemonic.ends_with(" ret")) continue;
        rets_[i.address] = &f;
        hooks_.push_back(cpu.hook_code(&FunctionTracer::on_ret_hook, this, i.address, i.address));
    }
}

void FunctionTracer::on_entry_hook(uc_engine*, uint64_t address, uint32_t, void* user) {
    auto* self = static_cast<FunctionTracer*>(user);
    auto it = self->functions_.find(address);
    if (self->active_ && it != self->functions_.end() && self->kernel_.current()) self->on_entry(it->second);
}

void FunctionTracer::on_ret_hook(uc_engine*, uint64_t address, uint32_t, void* user) {
    auto* self = static_cast<FunctionTracer*>(user);
    auto it = self->rets_.find(address);
    if (self->active_ && it != self->rets_.end() && self->kernel_.current()) self->on_ret(*it->second);
}

void FunctionTracer::on_entry(const Function& f) {
    uint64_t rsp = kernel_.machine().cpu().reg(Reg::rsp);
    if (main_address_ && f.name == "main") {  // the program's own code starts: calls from here on count
        main_rsp_ = rsp;
        return;
    }
    end_frames_below(rsp, false);  // frames whose stack is gone ended unseen (longjmp, an untraced tail call)
    auto& stack = stacks_[kernel_.current()->pid];
    // Outermost: no traced call is under way, and we are inside main (libc's
    // start-up and exit handlers are libc calling itself, which ltrace never sees).
    bool outermost = stack.empty() && (!main_address_ || (main_rsp_ && rsp < main_rsp_));
    stack.push_back({&f, rsp, outermost});
    if (!outermost) return;
    interrupt_open_call();
    std::string line = call_text(f);
    if (f.prototype && f.prototype->ret == 'n') {
        fmt::print(out_, "{} <no return ...>\n", line);
        return;
    }
    fmt::print(out_, "{}", line);
    open_line_ = true;
    open_length_ = line.size();
}

void FunctionTracer::on_ret(const Function& f) {
    if (main_address_ && f.name == "main") {
        main_rsp_ = 0;
        return;
    }
    // The `ret` pops the return address at rsp: every frame entered at or below it ends here.
    end_frames_below(kernel_.machine().cpu().reg(Reg::rsp), true);
}

// Ends the frames of the current task whose entry rsp is below `rsp` (and at
// it when returning); prints the outermost one's result.
void FunctionTracer::end_frames_below(uint64_t rsp, bool returned) {
    auto& stack = stacks_[kernel_.current()->pid];
    while (!stack.empty() && (stack.back().rsp < rsp || (returned && stack.back().rsp == rsp))) {
        Frame frame = stack.back();
        stack.pop_back();
        if (!frame.printed || (frame.function->prototype && frame.function->prototype->ret == 'n')) continue;
        std::string result = returned ? return_text(*frame.function) : "<no return ...>";
        if (open_line_) {
            fmt::print(out_, "{:{}}= {}\n", "", kLtraceResultColumn > open_length_ + 1 ? kLtraceResultColumn - open_length_ : 1, result);
        } else {
            std::string resumed = fmt::format("<... {} resumed> )", frame.function->name);
            fmt::print(out_, "{:<{}} = {}\n", resumed, kLtraceResultColumn - 1, result);
        }
        open_line_ = false;
    }
}

// A system call inside an open call line: ltrace breaks the line first.
void FunctionTracer::interrupt_open_call() {
    if (!open_line_) return;
    fmt::print(out_, " <unfinished ...>\n");
    open_line_ = false;
}

std::string FunctionTracer::call_text(const Function& f) const {
    Cpu& cpu = kernel_.machine().cpu();
    const UserMemory& mem = kernel_.current()->mm;
    uint64_t rsp = cpu.reg(Reg::rsp);
    const Reg regs[] = {Reg::rdi, Reg::rsi, Reg::rdx, Reg::rcx, Reg::r8, Reg::r9};
    size_t next = 0;
    auto arg = [&]() -> uint64_t {
        size_t i = next++;
        if (i < 6) return cpu.reg(regs[i]);
        return mem.read_value<uint64_t>(rsp + 8 * (i - 5)).value_or(0);  // past the return address
    };
    auto string_at = [&](uint64_t va) -> std::string {
        if (!va) return "nil";
        auto s = mem.read_cstring(va, kLtraceMaxStrlen + 1);
        if (s) return quote(*s, false);
        std::string bytes;
        for (size_t i = 0; i < kLtraceMaxStrlen; ++i) {
            auto c = mem.read_value<char>(va + i);
            if (!c) break;
            bytes += *c;
        }
        return bytes.empty() ? fmt::format("{:#x}", va) : quote(bytes, true);
    };
    std::vector<std::string> parts;
    auto one = [&](char kind) {
        uint64_t v = arg();
        switch (kind) {
        case 's': return string_at(v);
        case 'd': return std::to_string(int32_t(uint32_t(v)));
        case 'u': return std::to_string(v);
        case 'o': return fmt::format("0{:o}", uint32_t(v));
        case 'c': return (v >= 0x20 && v < 0x7f) ? fmt::format("'{}'", char(v)) : fmt::format("'\\{:03o}'", unsigned(v & 0xff));
        case 'p': return v ? fmt::format("{:#x}", v) : std::string("nil");
        default: return fmt::format("{:#x}", v);
        }
    };
    if (!f.prototype) {
        for (int i = 0; i < 6; ++i) parts.push_back(fmt::format("{:#x}", arg()));
        return fmt::format("{}({})", f.name, fmt::join(parts, ", "));
    }
    for (const char* k = f.prototype->args; *k; ++k) {
        if (*k == 'b') {  // a buffer whose length is the next argument
            uint64_t va = arg(), len = cpu.reg(regs[std::min<size_t>(next, 5)]);
            std::string bytes(std::min<uint64_t>(len, kLtraceMaxStrlen), '\0');
            bool ok = mem.read(va, bytes.data(), bytes.size());
            parts.push_back(ok ? quote(bytes, len > kLtraceMaxStrlen) : fmt::format("{:#x}", va));
        } else if (*k == 'f') {  // printf's format, then what it converts
            uint64_t va = arg();
            std::string format = mem.read_cstring(va, 4096).value_or("");
            parts.push_back(string_at(va));
            for (size_t i = 0; i + 1 < format.size(); ++i) {
                if (format[i] != '%') continue;
                size_t percent = i, j = i + 1;
                while (j < format.size() && std::string_view("-+ #0123456789.lhzjt").find(format[j]) != std::string_view::npos) ++j;
                if (j == format.size()) break;
                char conv = format[j];
                i = j;
                if (conv == '%') continue;
                std::string_view modifiers(format.data() + percent + 1, j - percent - 1);
                bool wide = modifiers.find_first_of("lzjt") != std::string_view::npos;
                switch (conv) {
                case 'd': case 'i': parts.push_back(wide ? std::to_string(int64_t(arg())) : one('d')); break;
                case 'u': parts.push_back(wide ? one('u') : std::to_string(uint32_t(arg()))); break;
                case 's': parts.push_back(one('s')); break;
                case 'c': parts.push_back(one('c')); break;
                case 'x': case 'X': case 'p': parts.push_back(one('x')); break;
                case 'f': case 'g': case 'e': parts.push_back("<double>"); break;
                default: parts.push_back(one('x'));
                }
            }
        } else {
            parts.push_back(one(*k));
        }
    }
    return fmt::format("{}({})", f.name, fmt::join(parts, ", "));
}

std::string FunctionTracer::return_text(const Function& f) const {
    uint64_t rax = kernel_.machine().cpu().reg(Reg::rax);
    char kind = f.prototype ? f.prototype->ret : 'x';
    switch (kind) {
    case 'v': return "<void>";
    case 'd': return std::to_string(int32_t(uint32_t(rax)));
    case 'u': return std::to_string(rax);
    case 'p': return rax ? fmt::format("{:#x}", rax) : "nil";
    case 's': {
        if (!rax) return "nil";
        auto s = kernel_.current()->mm.read_cstring(rax, kLtraceMaxStrlen + 1);
        return s ? quote(*s, false) : fmt::format("{:#x}", rax);
    }
    default: return fmt::format("{:#x}", rax);
    }
}

void FunctionTracer::on_event(const Event& e) {
    if (auto* in = std::get_if<SyscallEntryEvent>(&e)) {
        if (!active_) return;
        interrupt_open_call();
        syscall_.on_entry(in->name, in->args, *in->memory);
    } else if (auto* out = std::get_if<SyscallExitEvent>(&e)) {
        if (!active_) return;
        if (!out->returns) {  // ltrace: SYS_exit_group(0 <no return ...>
            std::string line = syscall_.unfinished_no_return();
            std::string call = line.substr(0, line.find_last_not_of(' ', line.rfind(" = ")));
            fmt::print(out_, "SYS_{} <no return ...>\n", call);
            return;
        }
        std::string line = syscall_.on_exit(out->ret, *out->memory);
        size_t eq = line.rfind(" = ");
        std::string call = line.substr(0, line.find_last_not_of(' ', eq) + 1);
        fmt::print(out_, "{:<{}} = {}\n", "SYS_" + call, kLtraceResultColumn - 1, line.substr(eq + 3));
        // The first execve is the spawn of our program; after another one the addresses are stale.
        if (out->name == "execve" && out->ret == 0 && execs_++ > 0) active_ = false;
    } else if (auto* x = std::get_if<ProcessExitEvent>(&e)) {
        if (x->signal) fmt::print(out_, "+++ killed by {} +++\n", strace_signal_name(x->signal));
        else fmt::print(out_, "+++ exited (status {}) +++\n", x->exit_code);
    }
}

}  // namespace sysentry
