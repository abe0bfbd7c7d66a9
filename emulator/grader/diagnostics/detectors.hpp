// One detector per file in this folder; diagnostics.cpp lists them with their
// ids and explanations.
#pragma once
#include <memory>

#include "../detector.hpp"

namespace sysentry::grading {

std::unique_ptr<Detector> make_r10_not_rcx(const ProgramFacts&);
std::unique_ptr<Detector> make_rcx_r11_clobbered(const ProgramFacts&);
std::unique_ptr<Detector> make_int80_in_64bit(const ProgramFacts&);
std::unique_ptr<Detector> make_i386_numbers(const ProgramFacts&);
std::unique_ptr<Detector> make_no_exit(const ProgramFacts&);
std::unique_ptr<Detector> make_unchecked_error(const ProgramFacts&);
std::unique_ptr<Detector> make_stack_misaligned(const ProgramFacts&);
std::unique_ptr<Detector> make_privileged_in_user(const ProgramFacts&);
std::unique_ptr<Detector> make_wrong_length(const ProgramFacts&);
// Kernel side: read what kernel_watch.cpp saw (TrialObservation::kernel).
std::unique_ptr<Detector> make_star_halves_swapped(const ProgramFacts&);
std::unique_ptr<Detector> make_sce_not_set(const ProgramFacts&);
std::unique_ptr<Detector> make_mask_missing_flag(const ProgramFacts&);
std::unique_ptr<Detector> make_user_register_clobbered(const ProgramFacts&);
std::unique_ptr<Detector> make_no_swapgs_on_return(const ProgramFacts&);
std::unique_ptr<Detector> make_kernel_stack_not_switched(const ProgramFacts&);
std::unique_ptr<Detector> make_sysret_non_canonical(const ProgramFacts&);

}  // namespace sysentry::grading
