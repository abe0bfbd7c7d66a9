// The lesson-spec parser on arbitrary text as lesson.toml (files it names are
// looked up in the hello-write lesson): it never crashes or throws, a
// rejection always says why, and an accepted lesson keeps every promise the
// grader relies on.
#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

#include "fuzz/fuzz_target.hpp"
#include "sysentry/lesson.hpp"

namespace {

using sysentry::grading::Lesson;

void check_accepted(const Lesson& l) {
    SYSENTRY_FUZZ_CHECK(!l.id.empty() && !l.trials.empty());
    std::set<std::string> trials;
    for (const auto& t : l.trials) SYSENTRY_FUZZ_CHECK(trials.insert(t.name).second);
    for (const auto& c : l.checks) {
        SYSENTRY_FUZZ_CHECK(std::isfinite(c.points) && c.points >= 0);
        for (const auto& name : c.trials) SYSENTRY_FUZZ_CHECK(trials.contains(name));
    }
    SYSENTRY_FUZZ_CHECK(l.limits.instructions > 0 && l.limits.wall_seconds > 0 && l.limits.output_bytes > 0);
    SYSENTRY_FUZZ_CHECK(std::isfinite(l.max_points()));
}

}  // namespace

SYSENTRY_FUZZ_TARGET(lesson_spec) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lesson = sysentry::grading::parse_lesson_text(text, SYSENTRY_SOURCE_DIR "/lessons/hello-write");
    if (lesson)
        check_accepted(*lesson);
    else
        SYSENTRY_FUZZ_CHECK(!lesson.error().empty());
}
