#include "sysentry/grade_formats.hpp"

#include <unistd.h>

#include <chrono>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace sysentry::grading {

using json = nlohmann::json;

std::optional<ReportFormat> report_format(std::string_view name) {
    if (name == "text") return ReportFormat::text;
    if (name == "json") return ReportFormat::json;
    if (name == "gradescope") return ReportFormat::gradescope;
    if (name == "junit") return ReportFormat::junit;
    if (name == "tap") return ReportFormat::tap;
    return std::nullopt;
}

namespace {

std::string points(double p) { return fmt::format("{:g}", p); }

// Indents every line after the first by `pad`.
std::string indented(const std::string& text, std::string_view pad) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') out += pad;
    }
    return out;
}

std::string xml_escaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        case '\n': out += "&#10;"; break;
        default:
            if (uint8_t(c) < 0x20 && c != '\t') out += fmt::format("\\x{:02x}", uint8_t(c));  // not allowed in XML 1.0
            else out += c;
        }
    }
    return out;
}

// One line for TAP: no newlines, and '#' escaped (it starts a directive).
std::string tap_line(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += ' ';
        else if (c == '#') out += "\\#";
        else out += c;
    }
    return out;
}

std::string check_output(const CheckResult& c) {
    if (c.passed) return "";
    std::string out = c.message;
    if (!c.trial.empty()) out += fmt::format(" (trial {})", c.trial);
    if (!c.hint.empty()) out += "\nhint: " + c.hint;
    return out;
}

std::string findings_text(const SubmissionReport& r) {
    std::string out;
    for (const Finding& f : r.findings) {
        out += fmt::format("diagnostic {}: {}\n  {}", f.id, f.explanation, f.evidence);
        if (!f.lesson.empty()) out += fmt::format("\n  see: sysentry lesson show {}", f.lesson);
        out += "\n";
    }
    return out;
}

}  // namespace

std::string text_report(const SubmissionReport& r, const TextOptions& options) {
    std::string out = fmt::format("{}: lesson {}, seed {}\n", r.submission, r.lesson, r.seed);
    if (r.status != SubmissionStatus::graded)
        out += fmt::format("  {}: {}\n", r.status == SubmissionStatus::build_error ? "build failed" : "internal error",
                           indented(r.error, "  "));
    size_t width = 0;
    for (const CheckResult& c : r.checks) width = std::max(width, c.name.size());
    for (const CheckResult& c : r.checks) {
        out += fmt::format("  {}  {:<{}}  {:>3}/{}\n", c.passed ? "PASS" : "FAIL", c.name, width, points(c.points),
                           points(c.max_points));
        if (c.passed || r.status != SubmissionStatus::graded) continue;
        if (options.student && c.hidden) continue;
        out += fmt::format("        {}{}\n", c.message, c.trial.empty() ? "" : fmt::format(" (trial {})", c.trial));
        if (options.hints && !c.hint.empty()) out += fmt::format("        hint: {}\n", c.hint);
    }
    for (const Finding& f : r.findings) {
        out += fmt::format("  diagnostic {}: {}\n        {}\n", f.id, f.explanation, f.evidence);
        if (!f.lesson.empty()) out += fmt::format("        see: sysentry lesson show {}\n", f.lesson);
    }
    out += fmt::format("  score {}/{}\n", points(r.score), points(r.max_score));
    return out;
}

json gradescope_results(const SubmissionReport& r) {
    json tests = json::array();
    for (const CheckResult& c : r.checks) {
        tests.push_back({{"name", c.name},
                         {"score", c.points},
                         {"max_score", c.max_points},
                         {"status", c.passed ? "passed" : "failed"},
                         {"output", r.status == SubmissionStatus::graded ? check_output(c) : ""},
                         {"visibility", c.hidden ? "after_published" : "visible"}});
    }
    std::string output = fmt::format("sysentry lesson {}, seed {}\n", r.lesson, r.seed);
    if (r.status != SubmissionStatus::graded) output += r.error + "\n";
    output += findings_text(r);
    return {{"score", r.score},
            {"max_score", r.max_score},
            {"execution_time", r.build_seconds + r.run_seconds},
            {"output", output},
            {"visibility", "visible"},
            {"stdout_visibility", "hidden"},
            {"tests", tests}};
}

std::string junit_xml(const std::vector<SubmissionReport>& reports) {
    size_t tests = 0, failures = 0, errors = 0;
    double time = 0;
    std::string suites;
    std::string host(256, '\0');
    gethostname(host.data(), host.size());
    host.resize(host.find('\0'));
    auto now = fmt::format("{:%Y-%m-%dT%H:%M:%S}", fmt::gmtime(std::time(nullptr)));
    for (size_t i = 0; i < reports.size(); ++i) {
        const SubmissionReport& r = reports[i];
        bool broken = r.status != SubmissionStatus::graded;
        size_t failed = 0;
        std::string cases;
        for (const CheckResult& c : r.checks) {
            cases += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"0\">", xml_escaped(c.name),
                                 xml_escaped(r.lesson));
            if (broken) cases += fmt::format("<error type=\"{}\" message=\"{}\"/>", to_string(r.status), xml_escaped(r.error));
            else if (!c.passed)
                cases += fmt::format("<failure type=\"check\" message=\"{}\">{}</failure>", xml_escaped(c.message),
                                     xml_escaped(check_output(c)));
            cases += "</testcase>\n";
            failed += !c.passed && !broken;
        }
        double t = r.build_seconds + r.run_seconds;
        suites += fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{:.3f}\" "
            "timestamp=\"{}\" hostname=\"{}\" id=\"{}\" package=\"{}\">\n"
            "    <properties>\n      <property name=\"seed\" value=\"{}\"/>\n      <property name=\"score\" value=\"{}/{}\"/>\n"
            "    </properties>\n{}    <system-out>{}</system-out>\n    <system-err></system-err>\n  </testsuite>\n",
            xml_escaped(r.submission), r.checks.size(), failed, broken ? r.checks.size() : 0, t, now, xml_escaped(host),
            i, xml_escaped(r.lesson), r.seed, points(r.score), points(r.max_score), cases, xml_escaped(findings_text(r)));
        tests += r.checks.size();
        failures += failed;
        errors += broken ? r.checks.size() : 0;
        time += t;
    }
    return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<testsuites name=\"sysentry grade\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n"
                       "{}</testsuites>\n",
                       tests, failures, errors, time, suites);
}

// TAP 14: one test point per submission, its checks as a subtest.
std::string tap_report(const std::vector<SubmissionReport>& reports) {
    std::string out = fmt::format("TAP version 14\n1..{}\n", reports.size());
    for (size_t i = 0; i < reports.size(); ++i) {
        const SubmissionReport& r = reports[i];
        out += fmt::format("# Subtest: {}\n", tap_line(r.submission));
        out += fmt::format("    1..{}\n", r.checks.size());
        for (size_t k = 0; k < r.checks.size(); ++k) {
            const CheckResult& c = r.checks[k];
            out += fmt::format("    {} {} - {}\n", c.passed ? "ok" : "not ok", k + 1, tap_line(c.name));
            if (c.passed) continue;
            out += "      ---\n";
            out += fmt::format("      message: {}\n", json(r.status == SubmissionStatus::graded ? c.message : r.error).dump());
            if (!c.trial.empty()) out += fmt::format("      trial: {}\n", json(c.trial).dump());
            if (!c.hint.empty()) out += fmt::format("      hint: {}\n", json(c.hint).dump());
            out += fmt::format("      points: {}\n", points(c.max_points));
            out += "      ...\n";
        }
        for (const Finding& f : r.findings) out += fmt::format("    # diagnostic {}: {}\n", f.id, tap_line(f.evidence));
        out += fmt::format("{} {} - {} # score {}/{} seed {}\n", r.all_passed() ? "ok" : "not ok", i + 1,
                           tap_line(r.submission), points(r.score), points(r.max_score), r.seed);
    }
    return out;
}

std::string format_reports(const std::vector<SubmissionReport>& reports, ReportFormat format,
                           const TextOptions& options) {
    switch (format) {
    case ReportFormat::text: {
        std::string out;
        for (auto& r : reports) out += text_report(r, options);
        return out;
    }
    case ReportFormat::json: return (reports.size() == 1 ? json(reports[0]) : json(reports)).dump(2) + "\n";
    case ReportFormat::gradescope: {
        if (reports.size() == 1) return gradescope_results(reports[0]).dump(2) + "\n";
        json all = json::array();
        for (auto& r : reports) all.push_back(gradescope_results(r));
        return all.dump(2) + "\n";
    }
    case ReportFormat::junit: return junit_xml(reports);
    case ReportFormat::tap: return tap_report(reports);
    }
    return "";
}

}  // namespace sysentry::grading
