// What syscall_init (guest/kernel/syscall_init.S) leaves in the SYSCALL MSRs,
// read back from the CPU after a program ran.
#include <gtest/gtest.h>

#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(syscall_init, programs_star_lstar_cstar_sysenter_and_mask_like_linux) {
    GuestRun run = run_asm(asm_program("\texit_imm 0\n"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    Machine& m = run.session->machine();
    SyscallMsrs msrs = run.session->kernel().transitions().msrs();
    EXPECT_EQ(msrs.star, 0x0023001000000000u);
    EXPECT_EQ(msrs.lstar, m.kernel_symbol("entry_SYSCALL_64"));
    EXPECT_EQ(msrs.cstar, m.kernel_symbol("entry_SYSCALL_compat"));
    EXPECT_EQ(msrs.sysenter_cs, 0x10u);
    EXPECT_EQ(msrs.sysenter_esp, 0u);
    EXPECT_EQ(msrs.sysenter_eip, m.kernel_symbol("entry_SYSENTER_compat"));
    EXPECT_EQ(msrs.syscall_mask, 0x47700u);
    EXPECT_TRUE(run.session->kernel().transitions().sce());
    EXPECT_TRUE(msrs.sce());
    EXPECT_TRUE(msrs.efer & x86::kEferLma) << "long mode active";
}

TEST(syscall_init, star_selectors_decode_to_the_gdt_layout) {
    GuestRun run = run_asm(asm_program("\texit_imm 0\n"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    SyscallMsrs msrs = run.session->kernel().transitions().msrs();
    EXPECT_EQ(msrs.syscall_cs(), 0x10);
    EXPECT_EQ(msrs.syscall_ss(), 0x18);
    EXPECT_EQ(msrs.sysret_cs(), 0x33);
    EXPECT_EQ(msrs.sysret_ss(), 0x2b);
}

TEST(syscall_init, lstar_is_where_the_first_syscall_lands) {
    GuestRun run = run_asm(asm_program("\texit_imm 0\n"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    auto entries = run.events.of_kind(TransitionKind::syscall);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.front().after.rip, run.session->kernel().transitions().msrs().lstar);
}

}  // namespace
}  // namespace sysentry::test
