// The catalogue: adding a diagnostic is one row here and its detector in
// diagnostics/. Ids are stable: lessons and reports name them.
#include "sysentry/diagnostics.hpp"

#include <algorithm>

#include "diagnostics/detectors.hpp"

namespace sysentry::grading {

namespace {

constexpr auto U = LessonSide::user;
constexpr auto K = LessonSide::kernel;

const Diagnostic kCatalogue[] = {
    {"r10-not-rcx", "the 4th system call argument goes in r10: SYSCALL overwrites rcx with the return address", U,
     make_r10_not_rcx},
    {"rcx-r11-clobbered", "SYSCALL saves rip in rcx and rflags in r11, so both hold new values after every call", U,
     make_rcx_r11_clobbered},
    {"int80-in-64bit", "int $0x80 is the i386 entry: it takes 32-bit arguments, so 64-bit pointers are cut", U,
     make_int80_in_64bit},
    {"i386-numbers", "syscall uses the x86-64 table (write = 1, exit = 60), not the i386 one (write = 4, exit = 1)", U,
     make_i386_numbers},
    {"no-exit", "a program must end with exit: the CPU does not stop at the last instruction", U, make_no_exit},
    {"unchecked-error", "a failed call returns -errno in rax; test it before using the result", U,
     make_unchecked_error},
    {"stack-misaligned", "rsp must be a multiple of 16 just before a call (System V ABI)", U, make_stack_misaligned},
    {"privileged-in-user", "ring 3 cannot run privileged instructions (cli, hlt, wrmsr, in, out...): #GP, SIGSEGV", U,
     make_privileged_in_user},
    {"wrong-length", "write's 3rd argument (rdx) must be the number of bytes of the text, no more, no less", U,
     make_wrong_length},
    {"star-halves-swapped", "STAR[47:32] holds the CS that SYSCALL loads (__KERNEL_CS) and STAR[63:48] the base SYSRET "
     "builds user selectors from (__USER32_CS): the halves are the other way round", K, make_star_halves_swapped},
    {"sce-not-set", "SYSCALL and SYSRET are #UD until syscall_init sets EFER.SCE (bit 0 of MSR 0xc0000080)", K,
     make_sce_not_set},
    {"mask-missing-flag", "SYSCALL_MASK names the RFLAGS bits SYSCALL clears; the kernel needs TF, DF, IF, IOPL, AC "
     "and NT clear before its first instruction", K, make_mask_missing_flag},
    {"user-register-clobbered", "after SYSCALL the caller keeps every register but rax, rcx and r11: the entry stub "
     "saves them in pt_regs and restores them", K, make_user_register_clobbered},
    {"no-swapgs-on-return", "the entry's swapgs must be undone on every way back to ring 3, or the user runs on the "
     "kernel's GS base and the next entry swaps the wrong way", K, make_no_swapgs_on_return},
    {"kernel-stack-not-switched", "SYSCALL leaves rsp on the user's stack: the stub loads the kernel stack before its "
     "first push", K, make_kernel_stack_not_switched},
    {"sysret-non-canonical", "SYSRET with a non-canonical RCX #GPs in ring 0 on Intel (CVE-2012-0217): such returns go "
     "through IRET", K, make_sysret_non_canonical},
};

}  // namespace

std::span<const Diagnostic> diagnostic_catalogue() { return kCatalogue; }

const Diagnostic* find_diagnostic(std::string_view id) {
    auto it = std::ranges::find(kCatalogue, id, &Diagnostic::id);
    return it == std::end(kCatalogue) ? nullptr : &*it;
}

}  // namespace sysentry::grading
