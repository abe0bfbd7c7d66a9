#include "trial_inputs.hpp"

#include <random>

#include <fmt/format.h>

namespace sysentry::grading {

namespace {

// FNV-1a: a trial name's hash that is the same on every build.
uint32_t stable_hash(const std::string& s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
}

}  // namespace

Bindings draw_variables(const Trial& trial, uint64_t seed) {
    // One stream per trial, so adding a trial never changes another's values.
    std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), stable_hash(trial.name)};
    std::mt19937_64 rng(seq);
    Bindings vars;
    for (const RandomVariable& v : trial.random) {
        std::uniform_int_distribution<int64_t> pick(v.min, v.max);
        if (v.kind == RandomVariable::Kind::integer) {
            vars[v.name] = std::to_string(pick(rng));
            continue;
        }
        std::uniform_int_distribution<int> letter('a', 'z');
        std::string word(size_t(pick(rng)), ' ');
        for (char& c : word) c = char(letter(rng));
        vars[v.name] = word;
    }
    return vars;
}

std::expected<std::string, std::string> substitute(const std::string& text, const Bindings& vars) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, 2, "${") != 0) {
            out += text[i++];
            continue;
        }
        size_t end = text.find('}', i);
        if (end == std::string::npos) return std::unexpected(fmt::format("unterminated ${{ in \"{}\"", text));
        std::string name = text.substr(i + 2, end - i - 2);
        bool length = name.starts_with('#');
        if (length) name.erase(0, 1);
        auto it = vars.find(name);
        if (it == vars.end()) return std::unexpected(fmt::format("no variable '{}' in this trial", name));
        out += length ? std::to_string(it->second.size()) : it->second;
        i = end + 1;
    }
    return out;
}

std::expected<nlohmann::json, std::string> substitute(const nlohmann::json& value, const Bindings& vars) {
    if (value.is_string()) {
        auto s = substitute(value.get<std::string>(), vars);
        if (!s) return std::unexpected(s.error());
        return nlohmann::json(*s);
    }
    if (!value.is_structured()) return value;
    nlohmann::json out = value;
    for (auto& [key, v] : value.items()) {
        auto sub = substitute(v, vars);
        if (!sub) return sub;
        if (value.is_object()) out[key] = *sub;
        else out[std::stoul(key)] = *sub;
    }
    return out;
}

std::expected<Trial, std::string> bind_trial(const Trial& trial, const Bindings& vars) {
    Trial t = trial;
    auto one = [&](std::string& s) -> bool {
        auto r = substitute(s, vars);
        if (r) s = *r;
        return bool(r);
    };
    for (auto& a : t.argv)
        if (!one(a)) return std::unexpected(substitute(a, vars).error());
    if (!one(t.stdin_text)) return std::unexpected(substitute(t.stdin_text, vars).error());
    for (auto& [path, content] : t.files)
        if (!one(content)) return std::unexpected(substitute(content, vars).error());
    return t;
}

}  // namespace sysentry::grading
