// The kinds of check a lesson can use (lessons/SPEC.md). Each kind is one row
// of the table in check_kinds.cpp: its keys, a validation run when the lesson
// loads, and the evaluation of one trial's observation.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sysentry::grading {

struct TrialObservation;

struct CheckVerdict {
    bool passed;
    std::string message;  // what was seen, when it failed
};

struct CheckKind {
    std::string_view name;
    std::span<const std::string_view> keys;
    // A problem with the keys' values, found when the lesson loads.
    std::optional<std::string> (*validate)(const nlohmann::json& params);
    // `params` have their ${variables} substituted already.
    CheckVerdict (*evaluate)(const nlohmann::json& params, const TrialObservation& trial);

    bool accepts(std::string_view key) const;
};

const CheckKind* find_check_kind(std::string_view name);

// A check's integer: a JSON number, or a string "42", "-1", "0x22" (after substitution).
std::optional<uint64_t> check_integer(const nlohmann::json& value);

}  // namespace sysentry::grading
