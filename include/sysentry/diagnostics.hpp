// The grader's catalogue of known mistakes. Each diagnostic has a stable id
// (what reports, lessons' `teaches` and `absent` checks name), a one-line
// explanation, and a detector that looks for it in every trial.
#pragma once
#include <memory>
#include <span>
#include <string_view>

#include "sysentry/lesson.hpp"

namespace sysentry::grading {

class Detector;
struct ProgramFacts;

struct Diagnostic {
    std::string_view id;           // "r10-not-rcx"
    std::string_view explanation;  // one line, for the student
    LessonSide side;               // user: every user-side trial; kernel: kernel-side lessons
    std::unique_ptr<Detector> (*make)(const ProgramFacts&);
};

std::span<const Diagnostic> diagnostic_catalogue();
const Diagnostic* find_diagnostic(std::string_view id);

}  // namespace sysentry::grading
