// One trial of a built submission: a fresh deterministic session with the
// trial's files in a private root, stdin (whole, or in short pieces), stdout
// and stderr captured, under the lesson's limits.
#pragma once
#include <functional>

#include "submission_build.hpp"
#include "sysentry/lesson.hpp"
#include "trial_observation.hpp"

namespace sysentry::grading {

// `examine` runs while the guest root still exists (file checks read it).
// Returns an error only when sysentry itself could not set the trial up.
std::expected<void, std::string> run_trial(const Lesson& lesson, const Trial& trial, const BuiltSubmission& built,
                                           const std::function<void(TrialObservation&)>& examine);

}  // namespace sysentry::grading
