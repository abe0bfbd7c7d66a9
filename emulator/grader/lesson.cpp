#include "sysentry/lesson.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "check_kinds.hpp"

namespace sysentry::grading {

namespace fs = std::filesystem;

namespace {

// A problem in lesson.toml, located at the node that caused it.
struct LessonError {
    std::string message;
};

std::string where(const toml::node& n) {
    auto& s = n.source();
    return s.begin.line ? fmt::format("line {}: ", s.begin.line) : "";
}

[[noreturn]] void fail(const toml::node& n, std::string_view what) {
    throw LessonError{where(n) + std::string(what)};
}

void only_keys(const toml::table& t, std::string_view section, const std::set<std::string, std::less<>>& allowed) {
    for (auto&& [key, value] : t)
        if (!allowed.contains(key.str())) fail(value, fmt::format("unknown key '{}' in {}", key.str(), section));
}

std::string need_string(const toml::table& t, std::string_view key, std::string_view section) {
    auto v = t[key].value<std::string>();
    if (!v) {
        if (t.contains(key)) fail(*t.get(key), fmt::format("{}.{} must be a string", section, key));
        fail(t, fmt::format("{} needs '{}'", section, key));
    }
    return *v;
}

std::optional<std::string> opt_string(const toml::table& t, std::string_view key) {
    if (!t.contains(key)) return std::nullopt;
    auto v = t[key].value<std::string>();
    if (!v) fail(*t.get(key), fmt::format("'{}' must be a string", key));
    return v;
}

std::vector<std::string> string_array(const toml::table& t, std::string_view key) {
    std::vector<std::string> out;
    if (!t.contains(key)) return out;
    auto* a = t.get(key)->as_array();
    if (!a) fail(*t.get(key), fmt::format("'{}' must be an array of strings", key));
    for (auto&& e : *a) {
        auto s = e.value<std::string>();
        if (!s) fail(e, fmt::format("'{}' must hold strings only", key));
        out.push_back(*s);
    }
    return out;
}

double number(const toml::node& n, std::string_view what) {
    if (auto i = n.value<int64_t>(); i && n.is_integer()) return double(*i);
    if (auto d = n.value<double>(); d && std::isfinite(*d)) return *d;
    fail(n, fmt::format("{} must be a finite number", what));
}

// Any TOML value as JSON (the checks' own keys are read by their kind).
nlohmann::json to_json(const toml::node& n) {
    if (auto* t = n.as_table()) {
        nlohmann::json o = nlohmann::json::object();
        for (auto&& [k, v] : *t) o[std::string(k.str())] = to_json(v);
        return o;
    }
    if (auto* a = n.as_array()) {
        nlohmann::json o = nlohmann::json::array();
        for (auto&& v : *a) o.push_back(to_json(v));
        return o;
    }
    if (n.is_integer()) return *n.value<int64_t>();
    if (n.is_floating_point()) return *n.value<double>();
    if (n.is_boolean()) return *n.value<bool>();
    if (n.is_string()) return *n.value<std::string>();
    fail(n, "dates and times are not lesson values");
}

Limits parse_limits(const toml::table& t) {
    only_keys(t, "[limits]", {"instructions", "wall_seconds", "memory_mib", "output_bytes"});
    Limits l;
    auto positive = [&](std::string_view key, auto& into) {
        if (!t.contains(key)) return;
        double v = number(*t.get(key), key);
        constexpr double kLargest = 1ull << 53;  // exact in a double, and fits every limit's type
        if (v <= 0 || v > kLargest) fail(*t.get(key), fmt::format("limits.{} must be positive and at most 2^53", key));
        into = static_cast<std::remove_reference_t<decltype(into)>>(v);
    };
    positive("instructions", l.instructions);
    positive("wall_seconds", l.wall_seconds);
    positive("memory_mib", l.memory_mib);
    positive("output_bytes", l.output_bytes);
    return l;
}

std::vector<RandomVariable> parse_random(const toml::table& t) {
    std::vector<RandomVariable> vars;
    auto name_char = [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); };
    for (auto&& [key, value] : t) {
        auto* spec = value.as_table();
        if (!spec) fail(value, fmt::format("random.{} must be a table {{ kind, min, max }}", key.str()));
        only_keys(*spec, "a random variable", {"kind", "min", "max"});
        std::string_view name = key.str();
        if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) || !std::ranges::all_of(name, name_char))
            fail(value, "a variable's name is letters, digits and _");
        std::string kind = need_string(*spec, "kind", "a random variable");
        if (kind != "word" && kind != "int") fail(value, "a random variable's kind is \"word\" or \"int\"");
        auto min = (*spec)["min"].value<int64_t>(), max = (*spec)["max"].value<int64_t>();
        if (!min || !max || *min > *max) fail(value, "a random variable needs integers min <= max");
        if (kind == "word" && (*min < 0 || *max > 4096)) fail(value, "a word's length is 0..4096");
        vars.push_back({std::string(key.str()), kind == "word" ? RandomVariable::Kind::word : RandomVariable::Kind::integer,
                        *min, *max});
    }
    return vars;
}

Trial parse_trial(const toml::table& t) {
    only_keys(t, "[[trials]]", {"name", "argv", "stdin", "files", "short_reads", "random"});
    Trial trial;
    trial.name = need_string(t, "name", "[[trials]]");
    trial.argv = string_array(t, "argv");
    trial.stdin_text = opt_string(t, "stdin").value_or("");
    if (auto* files = t["files"].as_table()) {
        for (auto&& [path, content] : *files) {
            auto s = content.value<std::string>();
            if (!s) fail(content, "files maps a path to its content (a string)");
            fs::path p(std::string(path.str()));
            if (p.empty() || p.is_absolute() || std::ranges::any_of(p, [](auto& c) { return c == ".."; }))
                fail(content, fmt::format("file '{}': a relative path inside the guest root", path.str()));
            trial.files[std::string(path.str())] = *s;
        }
    } else if (t.contains("files")) {
        fail(*t.get("files"), "files must be a table: { \"path\" = \"content\" }");
    }
    if (t.contains("short_reads")) {
        auto n = t["short_reads"].value<int64_t>();
        if (!n || *n < 1) fail(*t.get("short_reads"), "short_reads must be a positive integer");
        trial.short_reads = size_t(*n);
    }
    if (auto* r = t["random"].as_table()) trial.random = parse_random(*r);
    return trial;
}

CheckSpec parse_check(const toml::table& t) {
    CheckSpec c;
    c.name = need_string(t, "name", "[[checks]]");
    c.kind = need_string(t, "kind", "[[checks]]");
    const CheckKind* kind = find_check_kind(c.kind);
    if (!kind) fail(t, fmt::format("check '{}': unknown kind '{}'", c.name, c.kind));
    c.hint = opt_string(t, "hint").value_or("");
    if (!t.contains("points")) fail(t, fmt::format("check '{}' needs points", c.name));
    c.points = number(*t.get("points"), "points");
    if (c.points < 0) fail(t, fmt::format("check '{}': points must not be negative", c.name));
    c.trials = string_array(t, "trials");
    c.hidden = t["hidden"].value_or(false);
    c.params = nlohmann::json::object();
    static const std::set<std::string, std::less<>> kCommon = {"name", "kind", "hint", "points", "trials", "hidden"};
    for (auto&& [key, value] : t) {
        std::string k(key.str());
        if (kCommon.contains(k)) continue;
        if (!kind->accepts(k)) fail(value, fmt::format("check '{}': kind '{}' has no key '{}'", c.name, c.kind, k));
        c.params[k] = to_json(value);
    }
    if (auto problem = kind->validate(c.params)) fail(t, fmt::format("check '{}': {}", c.name, *problem));
    return c;
}

template <class T, class F>
std::vector<T> parse_array_of_tables(const toml::table& root, std::string_view key, F parse) {
    std::vector<T> out;
    if (!root.contains(key)) return out;
    auto* a = root.get(key)->as_array();
    if (!a) fail(*root.get(key), fmt::format("'{}' must be written [[{}]]", key, key));
    for (auto&& e : *a) {
        auto* t = e.as_table();
        if (!t) fail(e, fmt::format("each [[{}]] is a table", key));
        out.push_back(parse(*t));
    }
    return out;
}

template <class T>
void unique_names(const std::vector<T>& items, std::string_view what) {
    std::set<std::string> seen;
    for (auto& i : items)
        if (!seen.insert(i.name).second) throw LessonError{fmt::format("two {} are named '{}'", what, i.name)};
}

Lesson parse_lesson(const toml::table& root, const fs::path& dir) {
    only_keys(root, "lesson.toml", {"id", "title", "summary", "side", "starter", "solution", "harness", "harness_calls",
                                    "harness_includes_submission", "cflags", "must_fail", "program", "teaches", "silence",
                                    "replaces", "kernel_sources",
                                    "limits", "trials", "checks"});
    Lesson l;
    l.dir = dir;
    l.id = need_string(root, "id", "lesson.toml");
    auto id_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
    if (l.id.empty() || !std::ranges::all_of(l.id, id_char)) fail(root, "id is [a-z0-9-]+");
    l.title = need_string(root, "title", "lesson.toml");
    l.summary = need_string(root, "summary", "lesson.toml");
    std::string side = need_string(root, "side", "lesson.toml");
    if (side != "user" && side != "kernel" && side != "quiz")
        fail(*root.get("side"), "side is \"user\", \"kernel\" or \"quiz\"");
    l.side = side == "user" ? LessonSide::user : side == "kernel" ? LessonSide::kernel : LessonSide::quiz;
    l.starter = need_string(root, "starter", "lesson.toml");
    l.solution = need_string(root, "solution", "lesson.toml");
    l.harness = opt_string(root, "harness");
    l.harness_calls = string_array(root, "harness_calls");
    l.harness_includes_submission = root["harness_includes_submission"].value_or(false);
    l.cflags = string_array(root, "cflags");
    l.must_fail = string_array(root, "must_fail");
    l.program = opt_string(root, "program");
    l.replaces = opt_string(root, "replaces");
    l.kernel_sources = string_array(root, "kernel_sources");
    l.teaches = string_array(root, "teaches");
    l.silence = string_array(root, "silence");
    if (auto* limits = root["limits"].as_table()) l.limits = parse_limits(*limits);
    l.trials = parse_array_of_tables<Trial>(root, "trials", parse_trial);
    l.checks = parse_array_of_tables<CheckSpec>(root, "checks", parse_check);
    if (l.trials.empty()) l.trials.push_back(Trial{.name = "default"});
    unique_names(l.trials, "trials");
    unique_names(l.checks, "checks");
    for (auto& c : l.checks)
        for (auto& name : c.trials)
            if (std::ranges::none_of(l.trials, [&](const Trial& t) { return t.name == name; }))
                throw LessonError{fmt::format("check '{}' names no trial '{}'", c.name, name)};
    for (auto* file : {&l.starter, &l.solution})
        if (!fs::exists(dir / *file)) throw LessonError{fmt::format("{} does not exist", *file)};
    if (l.harness && !fs::exists(dir / *l.harness)) throw LessonError{fmt::format("{} does not exist", *l.harness)};
    if (l.harness_includes_submission && !l.harness) throw LessonError{"harness_includes_submission needs a harness"};
    for (auto& bad : l.must_fail)
        if (!fs::exists(dir / bad)) throw LessonError{fmt::format("must_fail: {} does not exist", bad)};
    if (l.side == LessonSide::kernel && !l.program) throw LessonError{"a kernel-side lesson names its user program"};
    if (l.side == LessonSide::kernel && !l.replaces)
        throw LessonError{"a kernel-side lesson names the kernel source it replaces (replaces = \"entry_64.S\")"};
    for (auto& extra : l.kernel_sources)
        if (!fs::exists(dir / extra)) throw LessonError{fmt::format("kernel_sources: {} does not exist", extra)};
    if (l.side == LessonSide::quiz && !l.program) throw LessonError{"a quiz names the program its answers are checked against"};
    if (l.program && !fs::exists(dir / *l.program)) throw LessonError{fmt::format("{} does not exist", *l.program)};
    return l;
}

}  // namespace

double Lesson::max_points() const {
    double sum = 0;
    for (auto& c : checks) sum += c.points;
    return sum;
}

std::string Lesson::readme() const {
    std::ifstream in(dir / "README.md");
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::expected<Lesson, std::string> parse_lesson_text(std::string_view text, const fs::path& dir) {
    std::string file = (dir / "lesson.toml").string();
    try {
        toml::table root = toml::parse(text, file);
        return parse_lesson(root, dir);
    } catch (const toml::parse_error& e) {
        return std::unexpected(fmt::format("{}:{}: {}", file, e.source().begin.line, e.description()));
    } catch (const LessonError& e) {
        return std::unexpected(fmt::format("{}: {}", file, e.message));
    }
}

std::expected<Lesson, std::string> load_lesson(const fs::path& dir) {
    std::ifstream in(dir / "lesson.toml", std::ios::binary);
    if (!in) return std::unexpected(fmt::format("{}: no such lesson", dir.string()));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    return parse_lesson_text(text, dir);
}

fs::path default_lessons_root() {
    if (const char* env = std::getenv("SYSENTRY_LESSONS"); env && *env) return env;
    return SYSENTRY_LESSONS_DIR;
}

std::expected<Lesson, std::string> find_lesson(const std::string& id_or_dir, const fs::path& root) {
    std::error_code ec;
    if (id_or_dir.find('/') != std::string::npos || fs::exists(fs::path(id_or_dir) / "lesson.toml", ec))
        return load_lesson(id_or_dir);
    if (!fs::exists(root / id_or_dir / "lesson.toml", ec))
        return std::unexpected(fmt::format("no lesson '{}' in {} (sysentry lesson list)", id_or_dir, root.string()));
    return load_lesson(root / id_or_dir);
}

std::vector<fs::path> lesson_dirs(const fs::path& root) {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory() && fs::exists(e.path() / "lesson.toml")) dirs.push_back(e.path());
    std::ranges::sort(dirs);
    return dirs;
}

}  // namespace sysentry::grading
