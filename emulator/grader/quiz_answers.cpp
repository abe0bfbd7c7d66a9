#include "quiz_answers.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace sysentry::grading {

std::expected<nlohmann::json, std::string> load_quiz_answers(const std::filesystem::path& file) {
    toml::table table;
    try {
        table = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        return std::unexpected(fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
    }
    nlohmann::json answers = nlohmann::json::object();
    for (auto& [key, node] : table) {
        if (auto i = node.value_exact<int64_t>())
            answers[std::string(key.str())] = *i;
        else if (auto s = node.value_exact<std::string>())
            answers[std::string(key.str())] = *s;
        else
            return std::unexpected(fmt::format("{}:{}: {} is a number or a string", file.string(),
                                               node.source().begin.line, key.str()));
    }
    return answers;
}

}  // namespace sysentry::grading
