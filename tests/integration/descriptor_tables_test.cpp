// The GDT and TSS the machine builds, read back from guest memory and decoded:
// Linux's x86-64 layout (arch/x86/include/asm/segment.h).
#include <gtest/gtest.h>

#include "sysentry/descriptors.hpp"
#include "sysentry/kernel_abi.h"
#include "sysentry/x86.hpp"
#include "support/guest.hpp"

namespace sysentry::test {
namespace {

using namespace sysentry::x86;

constexpr std::string_view kGetpidThenExit = R"(
	movl	$39, %eax		# getpid
	syscall
	exit_imm 0
)";

uint64_t gdt_slot(Machine& m, unsigned index) {
    return m.kernel_memory().read_value<uint64_t>(m.gdt_base() + index * 8).value();
}

struct SegmentRow {
    uint16_t selector;
    bool code, long_mode, default32;
    unsigned dpl;
};

TEST(gdt, code_and_data_segments_match_linux_layout) {
    GuestRun run = run_asm(asm_program(kGetpidThenExit));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    Machine& m = run.session->machine();
    const SegmentRow rows[] = {
        {0x08, true, false, true, 0},   // __KERNEL32_CS
        {0x10, true, true, false, 0},   // __KERNEL_CS
        {0x18, false, false, true, 0},  // __KERNEL_DS
        {0x23, true, false, true, 3},   // __USER32_CS
        {0x2b, false, false, true, 3},  // __USER_DS
        {0x33, true, true, false, 3},   // __USER_CS
    };
    for (const SegmentRow& row : rows) {
        SCOPED_TRACE(fmt::format("selector {:#04x}", row.selector));
        DecodedDescriptor d = decode_descriptor(gdt_slot(m, row.selector >> 3), 0);
        EXPECT_EQ(row.selector & 3, row.dpl) << "selector RPL should equal the segment's DPL";
        EXPECT_TRUE(d.present);
        EXPECT_FALSE(d.system);
        EXPECT_EQ(bool(d.type & kDescExecutable), row.code);
        EXPECT_EQ(d.long_mode, row.long_mode);
        if (row.code) {
            EXPECT_EQ(d.default32, row.default32);  // L=1 requires D=0
        }
        EXPECT_EQ(d.dpl, row.dpl);
        EXPECT_EQ(d.base, 0u);
    }
}

TEST(gdt, tss_descriptor_spans_entries_8_and_9_and_points_at_the_tss) {
    GuestRun run = run_asm(asm_program(kGetpidThenExit));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    Machine& m = run.session->machine();
    DecodedDescriptor tss = decode_descriptor(gdt_slot(m, kGdtTss), gdt_slot(m, kGdtTss + 1));
    EXPECT_TRUE(tss.present);
    EXPECT_TRUE(tss.system);
    EXPECT_TRUE(tss.type == kTypeTss64Available || tss.type == kTypeTss64Busy) << int(tss.type);
    EXPECT_EQ(tss.type, kTypeTss64Busy) << "LTR marks the loaded TSS busy";
    EXPECT_EQ(tss.dpl, 0u);
    EXPECT_EQ(tss.base, m.tss_base());
    EXPECT_GE(tss.limit + 1, sizeof(Tss64));
}

// During a system call the CPU runs on the stack TSS.RSP0 names: the current
// task's kernel stack, with pt_regs at its top.
TEST(tss, rsp0_is_the_running_process_kernel_stack_top_during_a_syscall) {
    struct Seen {
        bool got = false;
        uint64_t rsp0 = 0, stack_top = 0, percpu_top = 0, rsp = 0, orig_ax = 0;
    } seen;
    RunSetup setup;
    setup.on_event = [&seen](Session& s, const Event& e) {
        auto* entry = std::get_if<SyscallEntryEvent>(&e);
        if (!entry || entry->name != "getpid" || seen.got) return;
        Machine& m = s.machine();
        auto mem = m.kernel_memory();
        seen.got = true;
        seen.rsp0 = mem.read_value<Tss64>(m.tss_base()).value().rsp[0];
        seen.stack_top = s.kernel().current()->kernel_stack_top;
        seen.percpu_top = mem.read_value<uint64_t>(m.percpu() + PCPU_TOP_OF_STACK).value();
        seen.rsp = m.cpu().reg(Reg::rsp);
        seen.orig_ax = mem.read_value<uint64_t>(seen.rsp + PTREGS_ORIG_RAX).value();
    };
    GuestRun run = run_asm(asm_program(kGetpidThenExit), setup);
    ASSERT_TRUE(run.exited(0)) << describe(run);
    ASSERT_TRUE(seen.got) << "no getpid SyscallEntryEvent";
    EXPECT_NE(seen.rsp0, 0u);
    EXPECT_EQ(seen.rsp0, seen.stack_top);
    EXPECT_EQ(seen.percpu_top, seen.stack_top) << "entry_SYSCALL_64 loads RSP from the per-CPU copy";
    EXPECT_GE(seen.rsp0, kVmallocStart) << "kernel stacks live in the vmalloc area";
    EXPECT_EQ(seen.rsp, seen.stack_top - PTREGS_SIZE) << "pt_regs sits at the top of the kernel stack";
    EXPECT_EQ(seen.orig_ax, 39u) << "pt_regs->orig_ax holds the syscall number";
}

}  // namespace
}  // namespace sysentry::test
