// sysentry's own exit statuses. A guest's status passes through unchanged
// (128+signo when a signal killed it); these mark sysentry's verdicts and are
// listed in the README.
#pragma once

namespace sysentry {

constexpr int kExitOopsStatus = 123;       // the guest kernel faulted in ring 0
constexpr int kExitLimitStatus = 124;      // a --timeout stopped the guest (as timeout(1))
constexpr int kExitUsageStatus = 125;      // bad command line, or sysentry failed itself
constexpr int kExitCannotRunStatus = 126;  // PROGRAM is not a runnable static x86-64 program
constexpr int kExitNotFoundStatus = 127;   // PROGRAM does not exist
constexpr int kSignalExitBase = 128;

// `sysentry grade` and `sysentry lesson check` (autograders read these).
constexpr int kGradeAllPassed = 0;
constexpr int kGradeSomeFailed = 1;     // a check failed
constexpr int kGradeUsage = 2;          // bad command line or unknown lesson
constexpr int kGradeBuildError = 3;     // a submission did not assemble or link
constexpr int kGradeInternalError = 4;  // the grader itself failed (or a worker crashed)       // a guest killed by signal N exits 128+N, as shells report

}  // namespace sysentry
