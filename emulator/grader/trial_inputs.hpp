// A trial's random variables, drawn from the seed, and their substitution
// into the trial's strings and the checks' keys: `${name}` is the value and
// `${#name}` its length in bytes.
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "sysentry/lesson.hpp"

namespace sysentry::grading {

using Bindings = std::map<std::string, std::string>;

// The same seed, lesson and trial always give the same values.
Bindings draw_variables(const Trial& trial, uint64_t seed);

std::expected<std::string, std::string> substitute(const std::string& text, const Bindings& vars);
std::expected<nlohmann::json, std::string> substitute(const nlohmann::json& value, const Bindings& vars);
// The trial with every string substituted.
std::expected<Trial, std::string> bind_trial(const Trial& trial, const Bindings& vars);

}  // namespace sysentry::grading
