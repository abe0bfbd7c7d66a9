// A quiz lesson's submission (side = "quiz", lessons/SPEC.md): a TOML file of
// predicted values, e.g. `rcx = "0x40101b"` or `rip = "entry_SYSCALL_64"`.
#pragma once
#include <expected>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace sysentry::grading {

// key -> integer or string, as the student wrote it; the message names the file and line.
std::expected<nlohmann::json, std::string> load_quiz_answers(const std::filesystem::path& file);

}  // namespace sysentry::grading
