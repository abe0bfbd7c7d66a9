#include "check_kinds.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <re2/re2.h>

#include "kernel_invariants.hpp"
#include "sysentry/diagnostics.hpp"
#include "sysentry/exceptions.hpp"
#include "trial_observation.hpp"

namespace sysentry::grading {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::optional<uint64_t> check_integer(const json& v) {
    if (v.is_number_integer()) return uint64_t(v.get<int64_t>());
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (!v.is_string()) return std::nullopt;
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    try {
        size_t used = 0;
        uint64_t n = s[0] == '-' ? uint64_t(std::stoll(s, &used, 0)) : std::stoull(s, &used, 0);
        if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

bool CheckKind::accepts(std::string_view key) const { return std::ranges::find(keys, key) != keys.end(); }

namespace {

// ---- helpers ---------------------------------------------------------------

// A string as a C literal, cut at `max` bytes: what reports show of an output.
std::string c_literal(std::string_view s, size_t max = 120) {
    std::string out = "\"";
    for (char c : s.substr(0, max)) {
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\0': out += "\\0"; break;
        default:
            if (uint8_t(c) < 0x20 || uint8_t(c) >= 0x7f) out += fmt::format("\\x{:02x}", uint8_t(c));
            else out += c;
        }
    }
    out += "\"";
    if (s.size() > max) out += "...";
    return out;
}

CheckVerdict pass() { return {true, ""}; }
CheckVerdict fail(std::string why) { return {false, std::move(why)}; }

// Whether a run ended on its own; a limit overrides every other verdict's message.
std::optional<CheckVerdict> stopped(const TrialObservation& o) {
    if (o.stop_reason.empty()) return std::nullopt;
    return fail(o.stop_reason);
}

bool has(const json& p, const char* key) { return p.contains(key); }

std::optional<std::string> need_one_of(const json& p, std::initializer_list<const char*> keys) {
    int n = 0;
    for (auto* k : keys) n += p.contains(k);
    if (n == 1) return std::nullopt;
    return fmt::format("needs exactly one of: {}", fmt::join(keys, ", "));
}

std::optional<std::string> integers(const json& p, std::initializer_list<const char*> keys) {
    for (auto* k : keys)
        if (p.contains(k) && !p[k].is_number_integer() && !p[k].is_string())
            return fmt::format("{} must be an integer (or a string like \"0x22\")", k);
    return std::nullopt;
}

// RE2, not std::regex: libstdc++'s matcher recurses once per character and
// overflows the stack on a student's 100 KB of output; RE2 runs in linear time
// and bounded stack. Latin-1, so every byte of binary output is a character.
std::unique_ptr<RE2> compile_pattern(const std::string& pattern) {
    RE2::Options options;
    options.set_encoding(RE2::Options::EncodingLatin1);
    options.set_log_errors(false);
    return std::make_unique<RE2>(pattern, options);
}

std::optional<std::string> valid_regex(const json& p) {
    if (!p.contains("matches")) return std::nullopt;
    if (!p["matches"].is_string()) return "matches must be a string";
    auto re = compile_pattern(p["matches"].get<std::string>());
    if (!re->ok()) return fmt::format("matches is not a regular expression: {}", re->error());
    return std::nullopt;
}

// equals / matches against a text.
CheckVerdict compare_text(const json& p, std::string_view what, const std::string& text) {
    if (p.contains("equals")) {
        const std::string want = p["equals"].get<std::string>();
        if (text == want) return pass();
        return fail(fmt::format("{} was {}, expected {}", what, c_literal(text), c_literal(want)));
    }
    if (RE2::FullMatch(text, *compile_pattern(p["matches"].get<std::string>()))) return pass();
    return fail(fmt::format("{} was {}, which does not match /{}/", what, c_literal(text), p["matches"].get<std::string>()));
}

// ---- stdout, stderr --------------------------------------------------------

constexpr std::array<std::string_view, 2> kTextKeys = {"equals", "matches"};

std::optional<std::string> validate_text(const json& p) {
    if (auto e = need_one_of(p, {"equals", "matches"})) return e;
    if (p.contains("equals") && !p["equals"].is_string()) return "equals must be a string";
    return valid_regex(p);
}

CheckVerdict eval_stdout(const json& p, const TrialObservation& o) {
    auto v = compare_text(p, "stdout", o.out);
    if (!v.passed && !o.stop_reason.empty()) v.message += "; " + o.stop_reason;
    return v;
}
CheckVerdict eval_stderr(const json& p, const TrialObservation& o) {
    auto v = compare_text(p, "stderr", o.err);
    if (!v.passed && !o.stop_reason.empty()) v.message += "; " + o.stop_reason;
    return v;
}

// ---- exit ------------------------------------------------------------------

constexpr std::array<std::string_view, 2> kExitKeys = {"status", "signal"};

std::optional<std::string> validate_exit(const json& p) {
    if (auto e = need_one_of(p, {"status", "signal"})) return e;
    if (p.contains("signal") && !p["signal"].is_string()) return "signal is a name: \"SIGSEGV\"";
    return integers(p, {"status"});
}

CheckVerdict eval_exit(const json& p, const TrialObservation& o) {
    if (auto s = stopped(o)) return *s;
    const RunResult& r = o.result;
    if (p.contains("status")) {
        auto want = check_integer(p["status"]);
        if (r.kind == RunResult::Kind::exited && want && uint64_t(r.exit_code) == *want) return pass();
        return fail(fmt::format("the program {}, expected exit status {}", o.ending(), want.value_or(0)));
    }
    std::string want = p["signal"].get<std::string>();
    if (r.kind == RunResult::Kind::killed && signal_name(r.signal) == want) return pass();
    return fail(fmt::format("the program {}, expected to be killed by {}", o.ending(), want));
}

// ---- syscall ---------------------------------------------------------------

constexpr std::array<std::string_view, 12> kSyscallKeys = {"call", "nth",  "arg1", "arg2",  "arg3",      "arg4",
                                                              "arg5", "arg6", "ret",  "count", "min_count", "max_count"};

std::optional<std::string> validate_syscall(const json& p) {
    if (!p.contains("call") || !p["call"].is_string()) return "needs call = \"name\"";
    if (p.contains("nth") && !(p["nth"].is_number_integer() && p["nth"].get<int64_t>() >= 1) &&
        p["nth"] != json("every"))
        return "nth is a positive integer or \"every\"";
    return integers(p, {"arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "ret", "count", "min_count", "max_count"});
}

std::optional<std::string> argument_mismatch(const json& p, const ObservedCall& c) {
    static constexpr std::array<const char*, 6> kArgs = {"arg1", "arg2", "arg3", "arg4", "arg5", "arg6"};
    static constexpr std::array<const char*, 6> kOrdinal = {"1st", "2nd", "3rd", "4th", "5th", "6th"};
    for (size_t i = 0; i < kArgs.size(); ++i) {
        if (!p.contains(kArgs[i])) continue;
        uint64_t want = check_integer(p[kArgs[i]]).value_or(0);
        if (c.args[i] != want)
            return fmt::format("{}'s {} argument was {:#x} as the kernel saw it, expected {:#x}", c.name, kOrdinal[i],
                               c.args[i], want);
    }
    if (p.contains("ret")) {
        int64_t want = int64_t(check_integer(p["ret"]).value_or(0));
        if (!c.returned) return fmt::format("{} did not return", c.name);
        if (c.ret != want) return fmt::format("{} returned {}, expected {}", c.name, c.ret, want);
    }
    return std::nullopt;
}

CheckVerdict eval_syscall(const json& p, const TrialObservation& o) {
    std::string name = p["call"].get<std::string>();
    std::vector<const ObservedCall*> calls;
    for (auto& c : o.calls)
        if (c.name == name) calls.push_back(&c);
    uint64_t n = calls.size();
    auto bound = [&](const char* key) { return check_integer(p[key]).value_or(0); };
    if (has(p, "count") && n != bound("count"))
        return fail(fmt::format("{} was called {} times, expected {}", name, n, bound("count")));
    if (has(p, "min_count") && n < bound("min_count"))
        return fail(fmt::format("{} was called {} times, expected at least {}", name, n, bound("min_count")));
    if (has(p, "max_count") && n > bound("max_count"))
        return fail(fmt::format("{} was called {} times, expected at most {}", name, n, bound("max_count")));
    bool counts_only = !std::ranges::any_of(std::array{"arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "ret"},
                                            [&](const char* k) { return p.contains(k); });
    if (counts_only && (has(p, "count") || has(p, "min_count") || has(p, "max_count"))) return pass();
    if (calls.empty()) return fail(fmt::format("{} was never called", name));
    if (p.value("nth", json(1)) == json("every")) {
        for (auto* c : calls)
            if (auto m = argument_mismatch(p, *c)) return fail(*m);
        return pass();
    }
    size_t nth = p.value("nth", 1);
    if (nth > calls.size()) return fail(fmt::format("{} was called {} times, no call number {}", name, n, nth));
    if (auto m = argument_mismatch(p, *calls[nth - 1])) return fail(*m);
    return pass();
}

// ---- syscalls (the sequence) -----------------------------------------------

constexpr std::array<std::string_view, 2> kSequenceKeys = {"sequence", "match"};

std::optional<std::string> validate_sequence(const json& p) {
    if (!p.contains("sequence") || !p["sequence"].is_array()) return "needs sequence = [\"name\", ...]";
    for (auto& s : p["sequence"])
        if (!s.is_string()) return "sequence holds call names";
    std::string match = p.value("match", "exact");
    if (match != "exact" && match != "ordered") return "match is \"exact\" or \"ordered\"";
    return std::nullopt;
}

CheckVerdict eval_sequence(const json& p, const TrialObservation& o) {
    std::vector<std::string> seen, want = p["sequence"].get<std::vector<std::string>>();
    for (auto* c : o.calls_of(o.init_pid)) seen.push_back(c->name);
    bool ok;
    if (p.value("match", "exact") == "exact") {
        ok = seen == want;
    } else {
        size_t k = 0;
        for (auto& s : seen)
            if (k < want.size() && s == want[k]) ++k;
        ok = k == want.size();
    }
    if (ok) return pass();
    constexpr size_t kShown = 12;
    size_t total = seen.size();
    if (total > kShown) seen.resize(kShown), seen.push_back(fmt::format("... ({} calls)", total));
    return fail(fmt::format("the calls were [{}], expected {}[{}]", fmt::join(seen, ", "),
                            p.value("match", "exact") == "exact" ? "" : "in order ", fmt::join(want, ", ")));
}

// ---- registers -------------------------------------------------------------

constexpr std::array<std::string_view, 18> kRegisterKeys = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi",
                                                            "rbp", "rsp", "r8",  "r9",  "r10", "r11",
                                                            "r12", "r13", "r14", "r15", "rip", "rflags"};

uint64_t register_value(const RegisterFile& r, std::string_view name) {
    const std::array<uint64_t, 18> values = {r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8,
                                             r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15, r.rip, r.rflags};
    return values[size_t(std::ranges::find(kRegisterKeys, name) - kRegisterKeys.begin())];
}

std::optional<std::string> validate_registers(const json& p) {
    if (p.empty()) return "names at least one register";
    for (auto& [k, v] : p.items())
        if (!v.is_number_integer() && !v.is_string()) return fmt::format("{} must be an integer", k);
    return std::nullopt;
}

CheckVerdict eval_registers(const json& p, const TrialObservation& o) {
    if (!o.exit_registers) {
        if (auto s = stopped(o)) return *s;
        return fail(fmt::format("the program {} without calling exit", o.ending()));
    }
    for (auto& [k, v] : p.items()) {
        uint64_t want = check_integer(v).value_or(0), got = register_value(*o.exit_registers, k);
        if (got != want) return fail(fmt::format("{} was {:#x} at exit, expected {:#x}", k, got, want));
    }
    return pass();
}

// ---- instructions ----------------------------------------------------------

constexpr std::array<std::string_view, 5> kInstructionKeys = {"allow", "deny", "max", "min", "max_total"};

std::optional<std::string> validate_instructions(const json& p) {
    for (const char* k : {"allow", "deny"})
        if (p.contains(k) && (!p[k].is_array() || !std::ranges::all_of(p[k], [](auto& e) { return e.is_string(); })))
            return fmt::format("{} is a list of mnemonics", k);
    for (const char* k : {"max", "min"})
        if (p.contains(k) && (!p[k].is_object() || !std::ranges::all_of(p[k], [](auto& e) { return e.is_number_integer(); })))
            return fmt::format("{} is a table mnemonic = count", k);
    if (p.empty()) return "needs allow, deny, max, min or max_total";
    return integers(p, {"max_total"});
}

// How often `m` ran: an Intel name ("mov") or an AT&T mnemonic ("movq").
uint64_t times_run(const TrialObservation& o, const std::string& m) {
    if (auto it = o.by_name.find(m); it != o.by_name.end()) return it->second;
    if (auto it = o.by_mnemonic.find(m); it != o.by_mnemonic.end()) return it->second;
    return 0;
}

CheckVerdict eval_instructions(const json& p, const TrialObservation& o) {
    if (p.contains("deny"))
        for (auto& m : p["deny"])
            if (uint64_t n = times_run(o, m)) return fail(fmt::format("`{}` ran {} times; it is not allowed here", m.get<std::string>(), n));
    if (p.contains("allow")) {
        std::set<std::string> allowed = p["allow"].get<std::set<std::string>>();
        for (auto& [mnemonic, n] : o.by_mnemonic) {
            bool ok = allowed.contains(mnemonic);
            for (auto& [name, m] : o.by_name) ok |= allowed.contains(name) && mnemonic.starts_with(name);
            if (!ok) return fail(fmt::format("`{}` ran {} times; only {} are allowed", mnemonic, n, fmt::join(allowed, ", ")));
        }
    }
    if (p.contains("max"))
        for (auto& [m, v] : p["max"].items())
            if (uint64_t n = times_run(o, m); n > v.get<uint64_t>())
                return fail(fmt::format("`{}` ran {} times, at most {} expected", m, n, v.get<uint64_t>()));
    if (p.contains("min"))
        for (auto& [m, v] : p["min"].items())
            if (uint64_t n = times_run(o, m); n < v.get<uint64_t>())
                return fail(fmt::format("`{}` ran {} times, at least {} expected", m, n, v.get<uint64_t>()));
    if (p.contains("max_total")) {
        uint64_t limit = check_integer(p["max_total"]).value_or(0);
        if (o.instructions > limit) return fail(fmt::format("{} instructions ran, at most {} expected", o.instructions, limit));
    }
    return pass();
}

// ---- file ------------------------------------------------------------------

constexpr std::array<std::string_view, 4> kFileKeys = {"path", "equals", "matches", "exists"};

std::optional<std::string> validate_file(const json& p) {
    if (!p.contains("path") || !p["path"].is_string()) return "needs path = \"/name\"";
    if (p.contains("exists") && (p["exists"] != json(false) || p.size() != 2)) return "exists = false stands alone";
    if (p.contains("exists")) return std::nullopt;
    json text = json::object();
    for (const char* k : {"equals", "matches"})
        if (p.contains(k)) text[k] = p[k];
    return validate_text(text);
}

// The file inside the guest root, never outside it (the guest may plant symlinks).
std::optional<fs::path> inside_root(const fs::path& root, const std::string& guest_path) {
    std::error_code ec;
    fs::path real_root = fs::canonical(root, ec);
    if (ec) return std::nullopt;
    fs::path p = fs::weakly_canonical(real_root / fs::path(guest_path).relative_path(), ec);
    if (ec) return std::nullopt;
    auto [end, _] = std::mismatch(real_root.begin(), real_root.end(), p.begin(), p.end());
    if (end != real_root.end()) return std::nullopt;
    return p;
}

CheckVerdict eval_file(const json& p, const TrialObservation& o) {
    std::string path = p["path"].get<std::string>();
    auto file = inside_root(o.root, path);
    bool exists = file && fs::is_regular_file(*file);
    if (p.contains("exists")) return exists ? fail(fmt::format("{} exists", path)) : pass();
    if (!exists) return fail(fmt::format("{} does not exist after the run", path));
    std::ifstream in(*file, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    return compare_text(p, path, content);
}

// ---- fds, processes ----------------------------------------------------------

constexpr std::array<std::string_view, 1> kFdKeys = {"open_at_exit"};

std::optional<std::string> validate_fds(const json& p) {
    if (!p.contains("open_at_exit") || !p["open_at_exit"].is_array() ||
        !std::ranges::all_of(p["open_at_exit"], [](auto& e) { return e.is_number_integer(); }))
        return "needs open_at_exit = [0, 1, 2]";
    return std::nullopt;
}

CheckVerdict eval_fds(const json& p, const TrialObservation& o) {
    if (auto s = stopped(o)) return *s;
    auto want = p["open_at_exit"].get<std::set<int>>();
    if (o.open_fds == want) return pass();
    return fail(fmt::format("descriptors open at exit were {{{}}}, expected {{{}}}", fmt::join(o.open_fds, ", "),
                            fmt::join(want, ", ")));
}

constexpr std::array<std::string_view, 2> kProcessKeys = {"count", "max"};

std::optional<std::string> validate_processes(const json& p) {
    if (p.empty()) return "needs count or max";
    return integers(p, {"count", "max"});
}

CheckVerdict eval_processes(const json& p, const TrialObservation& o) {
    uint64_t n = o.pids.size();
    if (p.contains("count") && n != check_integer(p["count"]).value_or(0))
        return fail(fmt::format("{} processes ran, expected {}", n, check_integer(p["count"]).value_or(0)));
    if (p.contains("max") && n > check_integer(p["max"]).value_or(0))
        return fail(fmt::format("{} processes ran, at most {} expected", n, check_integer(p["max"]).value_or(0)));
    return pass();
}

// ---- diagnostic, kernel ------------------------------------------------------

constexpr std::array<std::string_view, 1> kDiagnosticKeys = {"absent"};

std::optional<std::string> validate_diagnostic(const json& p) {
    if (!p.contains("absent") || !p["absent"].is_string()) return "needs absent = \"diagnostic-id\"";
    if (!find_diagnostic(p["absent"].get<std::string>()))
        return fmt::format("no diagnostic '{}' (sysentry lesson list --diagnostics)", p["absent"].get<std::string>());
    return std::nullopt;
}

CheckVerdict eval_diagnostic(const json& p, const TrialObservation& o) {
    auto it = o.findings.find(p["absent"].get<std::string>());
    if (it == o.findings.end()) return pass();
    return fail(fmt::format("{}: {}", it->first, it->second));
}

constexpr std::array<std::string_view, 1> kKernelKeys = {"invariant"};

std::optional<std::string> validate_kernel(const json& p) {
    if (!p.contains("invariant") || !p["invariant"].is_string()) return "needs invariant = \"name\"";
    if (!find_kernel_invariant(p["invariant"].get<std::string>()))
        return fmt::format("no kernel invariant '{}'", p["invariant"].get<std::string>());
    return std::nullopt;
}

CheckVerdict eval_kernel(const json& p, const TrialObservation& o) {
    const KernelInvariant* inv = find_kernel_invariant(p["invariant"].get<std::string>());
    if (auto broken = inv->broken(o)) return fail(*broken);
    return pass();
}

// ---- transition (quiz lessons) ----------------------------------------------

constexpr std::array<std::string_view, 2> kTransitionKeys = {"field", "nth"};
constexpr std::array<std::string_view, 6> kTransitionFields = {"rcx", "r11", "cs", "ss", "rflags", "rip"};

std::optional<std::string> validate_transition(const json& p) {
    if (!p.contains("field") || !p["field"].is_string() ||
        std::ranges::find(kTransitionFields, p["field"].get<std::string>()) == kTransitionFields.end())
        return fmt::format("field is one of: {}", fmt::join(kTransitionFields, ", "));
    if (p.contains("nth") && check_integer(p["nth"]).value_or(0) < 1) return "nth counts from 1";
    return std::nullopt;
}

// An answer: a number, or the name of a guest-kernel symbol ("entry_SYSCALL_64").
std::optional<uint64_t> answer_value(const json& v, const TrialObservation& o) {
    if (auto n = check_integer(v)) return n;
    if (!v.is_string() || !o.kernel_image) return std::nullopt;
    for (const ElfSymbol& s : o.kernel_image->symbols)
        if (s.name == v.get_ref<const std::string&>()) return s.value;
    return std::nullopt;
}

// The answer's `field` against the CPU's state right after the nth SYSCALL.
// A wrong answer is not corrected: the quiz's hint says what to think about.
CheckVerdict eval_transition(const json& p, const TrialObservation& o) {
    std::string field = p["field"];
    size_t nth = size_t(check_integer(p.value("nth", json(1))).value_or(1));
    if (o.syscall_entries.size() < nth)
        return fail(fmt::format("the program made {} SYSCALLs, fewer than {}", o.syscall_entries.size(), nth));
    if (!o.answers.contains(field)) return fail(fmt::format("the answer file has no {}", field));
    auto answer = answer_value(o.answers[field], o);
    if (!answer) return fail(fmt::format("{} is neither a number nor a guest-kernel symbol", field));
    const RegisterFile& r = o.syscall_entries[nth - 1];
    uint64_t actual = field == "cs" ? r.cs : field == "ss" ? r.ss : register_value(r, field);
    if (actual != *answer) return fail(fmt::format("{} = {:#x} is not what the CPU had", field, *answer));
    return pass();
}

const CheckKind kKinds[] = {
    {"stdout", kTextKeys, validate_text, eval_stdout},
    {"stderr", kTextKeys, validate_text, eval_stderr},
    {"exit", kExitKeys, validate_exit, eval_exit},
    {"syscall", kSyscallKeys, validate_syscall, eval_syscall},
    {"syscalls", kSequenceKeys, validate_sequence, eval_sequence},
    {"registers", kRegisterKeys, validate_registers, eval_registers},
    {"instructions", kInstructionKeys, validate_instructions, eval_instructions},
    {"file", kFileKeys, validate_file, eval_file},
    {"fds", kFdKeys, validate_fds, eval_fds},
    {"processes", kProcessKeys, validate_processes, eval_processes},
    {"diagnostic", kDiagnosticKeys, validate_diagnostic, eval_diagnostic},
    {"kernel", kKernelKeys, validate_kernel, eval_kernel},
    {"transition", kTransitionKeys, validate_transition, eval_transition},
};

}  // namespace

const CheckKind* find_check_kind(std::string_view name) {
    auto it = std::ranges::find(kKinds, name, &CheckKind::name);
    return it == std::end(kKinds) ? nullptr : &*it;
}

}  // namespace sysentry::grading
