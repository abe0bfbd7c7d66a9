// A grading's reports, in the formats autograders read: a text report for
// people, JSON, Gradescope's results.json, JUnit XML (the Jenkins/Ant schema)
// and TAP version 14.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sysentry/grading.hpp"

namespace sysentry::grading {

enum class ReportFormat { text, json, gradescope, junit, tap };
std::optional<ReportFormat> report_format(std::string_view name);

struct TextOptions {
    bool hints = true;    // each failed check's hint
    bool student = false; // hidden checks show pass/fail only
};

std::string text_report(const SubmissionReport& report, const TextOptions& options = {});
nlohmann::json gradescope_results(const SubmissionReport& report);
std::string junit_xml(const std::vector<SubmissionReport>& reports);
std::string tap_report(const std::vector<SubmissionReport>& reports);

// Every report in one document of `format`.
std::string format_reports(const std::vector<SubmissionReport>& reports, ReportFormat format,
                           const TextOptions& options = {});

}  // namespace sysentry::grading
