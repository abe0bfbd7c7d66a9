// Translated code must never outlive the memory it came from. Unicorn 2.0.1
// keys its translations by the place of the RAM block they came from and gives
// a freed block's place to the next one mapped (docs/carrier.md item 15), so
// two programs that put different code at the same address, or a mapping
// replaced by another, could run each other's translations. These programs
// put exactly that difference at exactly the same address.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// The same code bytes in both images except one immediate (the letter). The
// parent (is_parent = 1) forks and the child execs /child, the image with 'C';
// both then print their letter six times, yielding after each, so they take
// turns with the same loop at the same address. The parent exits with the
// child's exit code plus its killing signal.
constexpr std::string_view kTakeTurns = R"(
	.globl	_start
	.text
_start:
	cmpb	$0, is_parent(%rip)
	je	loop
	movl	$57, %eax		# fork
	syscall
	testq	%rax, %rax
	jnz	loop
	leaq	path(%rip), %rdi
	leaq	argv(%rip), %rsi
	xorl	%edx, %edx
	movl	$59, %eax		# execve("/child", ...)
	syscall
	movl	$60, %eax
	movl	$99, %edi
	syscall
loop:
	movb	$LETTER, msg(%rip)
	movl	$1, %eax		# write(1, msg, 2)
	movl	$1, %edi
	leaq	msg(%rip), %rsi
	movl	$2, %edx
	syscall
	movl	$24, %eax		# sched_yield
	syscall
	decl	count(%rip)
	jnz	loop
	cmpb	$0, is_parent(%rip)
	je	done
	movl	$61, %eax		# wait4(-1, &status, 0, NULL)
	movq	$-1, %rdi
	leaq	status(%rip), %rsi
	xorl	%edx, %edx
	xorl	%r10d, %r10d
	syscall
	movl	status(%rip), %edi
	movl	%edi, %eax
	shrl	$8, %edi
	andl	$0x7f, %eax
	addl	%eax, %edi
	movl	$60, %eax
	syscall
done:
	movl	$60, %eax
	movl	$5, %edi
	syscall
	.data
is_parent: .byte IS_PARENT
msg:	.ascii "?\n"
count:	.long 6
status:	.long 0
path:	.asciz "/child"
argv:	.quad path, 0
)";

// Static, no libc: both images start their text at the same address.
fs::path build_image(const fs::path& dir, std::string_view name, char letter, bool parent) {
    fs::path src = write_file(dir / "turns.S", kTakeTurns), exe = dir / name;
    ProcessRun r = run_process({"gcc", "-nostdlib", "-static", "-no-pie", fmt::format("-DLETTER='{}'", letter),
                                fmt::format("-DIS_PARENT={}", parent ? 1 : 0), "-o", exe.string(), src.string()});
    if (!r.error.empty() || r.status() != 0) throw std::runtime_error("gcc: " + describe(r));
    return exe;
}

uint64_t loop_address(const fs::path& exe) {
    std::string bytes = read_file(exe);
    return elf_facts(std::vector<uint8_t>(bytes.begin(), bytes.end())).symbol("loop");
}

TEST(processes_code_cache, two_programs_taking_turns_at_the_same_address_each_run_their_own_code) {
    ScratchRoot build = temp_dir("sysentry-code-cache"), root = temp_dir("sysentry-code-cache-root");
    fs::path parent = build_image(build.path(), "parent", 'P', true);
    fs::copy_file(build_image(build.path(), "child", 'C', false), root.path() / "child");
    ASSERT_EQ(loop_address(parent), loop_address(root.path() / "child"))
        << "the test needs both loops at one address";

    GuestRun run = run_elf(parent, {.root = root.path()});
    ASSERT_TRUE(run.exited(5)) << "the child must exit 5 itself: " << describe(run);
    EXPECT_EQ(std::ranges::count(run.out, 'P'), 6) << run.out;
    EXPECT_EQ(std::ranges::count(run.out, 'C'), 6) << run.out;
    // They really took turns: a C before the last P, so the child ran between the parent's rounds.
    EXPECT_LT(run.out.find('C'), run.out.rfind('P')) << run.out;
}

// Within one process: a file mapped executable at a fixed address is called,
// unmapped, and another file with other code mapped at the same address is
// called. Exit status = 10 * first result + second result.
constexpr std::string_view kRemapCode = R"(
	.macro map_and_call path
	movl	$2, %eax		# open(path, O_RDONLY)
	leaq	\path(%rip), %rdi
	xorl	%esi, %esi
	syscall
	movq	%rax, %r8
	movl	$9, %eax		# mmap(0x10000000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, fd, 0)
	movl	$0x10000000, %edi
	movl	$4096, %esi
	movl	$5, %edx
	movl	$0x12, %r10d
	xorl	%r9d, %r9d
	syscall
	call	*%rax
	.endm
	map_and_call one
	movl	%eax, %r12d
	movl	$11, %eax		# munmap(0x10000000, 4096)
	movl	$0x10000000, %edi
	movl	$4096, %esi
	syscall
	map_and_call two
	imull	$10, %r12d, %edi
	addl	%eax, %edi
	exit_rdi
)";

TEST(processes_code_cache, code_mapped_where_other_code_was_unmapped_is_the_new_code) {
    ScratchRoot root = temp_dir("sysentry-code-cache-root");
    write_file(root.path() / "one", std::string("\xb8\x01\x00\x00\x00\xc3", 6));  // mov $1, %eax; ret
    write_file(root.path() / "two", std::string("\xb8\x02\x00\x00\x00\xc3", 6));  // mov $2, %eax; ret
    std::string source = asm_program(kRemapCode, "one: .asciz \"/one\"\ntwo: .asciz \"/two\"");
    GuestRun run = run_asm(source, {.root = root.path()});
    EXPECT_TRUE(run.exited(12)) << describe(run);
}

}  // namespace
}  // namespace sysentry::test
