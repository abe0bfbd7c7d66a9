// Kernel-side invariants a `kind = "kernel"` check names: each looks at one
// trial of a student's guest kernel and says what it broke. The kernel-side
// lessons add theirs as rows of the table in kernel_invariants.cpp.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sysentry::grading {

struct TrialObservation;

struct KernelInvariant {
    std::string_view name;
    std::string_view description;
    std::optional<std::string> (*broken)(const TrialObservation&);  // what was wrong, or nullopt
};

const KernelInvariant* find_kernel_invariant(std::string_view name);

}  // namespace sysentry::grading
