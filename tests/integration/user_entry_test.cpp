// The first entry to user mode: what the program finds on its initial stack
// (argc, argv, envp, auxv), checked from inside the guest.
#include <gtest/gtest.h>

#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// Prints every argv string, a "--" line, every envp string; exits with argc.
// Exits 99 if RSP was not 16-byte aligned at _start, as the psABI requires.
constexpr std::string_view kWalkInitialStack = R"(
	testq	$15, %rsp
	jnz	misaligned
	movq	(%rsp), %r12		# argc
	leaq	8(%rsp), %r13		# argv[0]
1:	movq	(%r13), %rsi
	addq	$8, %r13
	testq	%rsi, %rsi
	jz	2f
	call	puts_rsi
	jmp	1b
2:	leaq	separator(%rip), %rsi	# r13 now points at envp[0]
	call	puts_rsi
3:	movq	(%r13), %rsi
	addq	$8, %r13
	testq	%rsi, %rsi
	jz	4f
	call	puts_rsi
	jmp	3b
4:	movq	%r12, %rdi
	exit_rdi
misaligned:
	exit_imm 99

puts_rsi:				# write(1, rsi, strlen(rsi)); write(1, "\n", 1)
	movq	%rsi, %rdx
5:	cmpb	$0, (%rdx)
	je	6f
	incq	%rdx
	jmp	5b
6:	subq	%rsi, %rdx
	movl	$1, %eax
	movl	$1, %edi
	syscall
	movl	$1, %eax
	movl	$1, %edi
	leaq	newline(%rip), %rsi
	movl	$1, %edx
	syscall
	ret
	.section .rodata
separator: .asciz "--"
newline: .ascii "\n"
)";

TEST(user_entry, argc_argv_and_envp_are_on_the_initial_stack) {
    RunSetup setup;
    setup.argv0 = "walker";
    setup.args = {"alpha", "b c", ""};
    setup.envp = {"HOME=/", "A=1"};
    GuestRun run = run_asm(asm_program(kWalkInitialStack), setup);
    EXPECT_TRUE(run.exited(4)) << describe(run);
    EXPECT_EQ(run.out, "walker\nalpha\nb c\n\n--\nHOME=/\nA=1\n");
}

TEST(user_entry, empty_environment_still_has_terminators) {
    RunSetup setup;
    setup.envp = {};
    GuestRun run = run_asm(asm_program(kWalkInitialStack), setup);
    EXPECT_TRUE(run.exited(1)) << describe(run);
    EXPECT_EQ(run.out, "prog\n--\n");
}

// A glibc-static program reads its raw auxiliary vector (it follows envp's
// NULL; glibc's getauxval(AT_HWCAP) is rewritten by glibc itself) and prints it
// beside what it can see for itself (CPUID, getuid...).
constexpr std::string_view kAuxvProgram = R"c(
#include <cpuid.h>
#include <elf.h>
#include <stdio.h>
#include <unistd.h>

static Elf64_auxv_t* auxv;

static unsigned long aux(unsigned long type) {
    for (Elf64_auxv_t* a = auxv; a->a_type != AT_NULL; ++a)
        if (a->a_type == type) return a->a_un.a_val;
    return 0;
}

int main(int argc, char** argv, char** envp) {
    while (*envp) ++envp;
    auxv = (Elf64_auxv_t*)(envp + 1);
    unsigned a, b, c, d;
    __get_cpuid(1, &a, &b, &c, &d);
    printf("phdr=%lx\nphent=%lu\nphnum=%lu\npagesz=%lu\nentry=%lx\n", aux(AT_PHDR), aux(AT_PHENT),
           aux(AT_PHNUM), aux(AT_PAGESZ), aux(AT_ENTRY));
    const unsigned char* r = (const unsigned char*)aux(AT_RANDOM);
    printf("random=");
    for (int i = 0; r && i < 16; ++i) printf("%02x", r[i]);
    printf("\nuid=%lu\neuid=%lu\ngid=%lu\negid=%lu\n", aux(AT_UID), aux(AT_EUID), aux(AT_GID), aux(AT_EGID));
    printf("getuid=%d\ngeteuid=%d\ngetgid=%d\ngetegid=%d\n", getuid(), geteuid(), getgid(), getegid());
    printf("secure=%lu\nhwcap=%lx\ncpuid_edx=%x\nclktck=%lu\n", aux(AT_SECURE), aux(AT_HWCAP), d, aux(AT_CLKTCK));
    const char* execfn = (const char*)aux(AT_EXECFN);
    const char* platform = (const char*)aux(AT_PLATFORM);
    printf("execfn=%s\nplatform=%s\n", execfn ? execfn : "(null)", platform ? platform : "(null)");
    return 0;
}
)c";

std::map<std::string, std::string> key_values(const std::string& text) {
    std::map<std::string, std::string> kv;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (auto eq = line.find('='); eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    return kv;
}

TEST(user_entry, auxv_matches_the_elf_and_the_cpu) {
    ScratchRoot dir = temp_dir();
    auto exe = build_c(kAuxvProgram, "gcc", dir.path());
    ASSERT_TRUE(exe.has_value()) << exe.error();
    GuestRun run = run_elf(*exe);
    ASSERT_TRUE(run.exited(0)) << describe(run);
    auto kv = key_values(run.out);
    auto hex = [](uint64_t v) { return fmt::format("{:x}", v); };
    EXPECT_EQ(kv["phdr"], hex(run.facts.phdr));
    EXPECT_EQ(kv["phent"], std::to_string(run.facts.phent));
    EXPECT_EQ(kv["phent"], "56") << "sizeof(Elf64_Phdr)";
    EXPECT_EQ(kv["phnum"], std::to_string(run.facts.phnum));
    EXPECT_EQ(kv["pagesz"], "4096");
    EXPECT_EQ(kv["entry"], hex(run.facts.entry));
    EXPECT_EQ(kv["random"].size(), 32u) << "AT_RANDOM: 16 readable bytes";
    EXPECT_NE(kv["random"], std::string(32, '0'));
    EXPECT_EQ(kv["uid"], kv["getuid"]);
    EXPECT_EQ(kv["euid"], kv["geteuid"]);
    EXPECT_EQ(kv["gid"], kv["getgid"]);
    EXPECT_EQ(kv["egid"], kv["getegid"]);
    EXPECT_EQ(kv["secure"], "0");
    EXPECT_NE(kv["hwcap"], "0");
    EXPECT_EQ(kv["hwcap"], kv["cpuid_edx"]) << "x86 Linux passes CPUID.1:EDX as AT_HWCAP; this is the CPUID "
                                               "the guest itself sees on this engine";
    EXPECT_EQ(kv["clktck"], "100") << "USER_HZ";
    EXPECT_EQ(kv["execfn"], exe->string());
    EXPECT_EQ(kv["platform"], "x86_64");
}

// The claim the test above relies on, checked on the host kernel.
TEST(user_entry, host_linux_passes_cpuid_edx_as_at_hwcap) {
    ScratchRoot dir = temp_dir();
    auto exe = build_c(kAuxvProgram, "gcc", dir.path());
    ASSERT_TRUE(exe.has_value()) << exe.error();
    ProcessRun native = run_process({exe->string()});
    ASSERT_EQ(native.status(), 0) << describe(native);
    auto kv = key_values(native.out);
    EXPECT_EQ(kv["hwcap"], kv["cpuid_edx"]);
    EXPECT_EQ(kv["clktck"], "100");
    EXPECT_EQ(kv["execfn"], exe->string());
}

TEST(user_entry, at_random_differs_between_runs_unless_deterministic) {
    ScratchRoot dir = temp_dir();
    auto exe = build_c(kAuxvProgram, "gcc", dir.path());
    ASSERT_TRUE(exe.has_value()) << exe.error();
    RunSetup random_setup;
    random_setup.deterministic = false;
    std::string r1 = key_values(run_elf(*exe, random_setup).out)["random"];
    std::string r2 = key_values(run_elf(*exe, random_setup).out)["random"];
    EXPECT_NE(r1, r2);
    std::string d1 = key_values(run_elf(*exe).out)["random"];
    std::string d2 = key_values(run_elf(*exe).out)["random"];
    EXPECT_EQ(d1, d2);
    EXPECT_EQ(d1.size(), 32u);
}

// The first IRET into ring 3 (start_thread's frame) lands on e_entry with user selectors.
TEST(user_entry, boot_iret_enters_ring3_at_the_elf_entry_point) {
    GuestRun run = run_asm(asm_program("\texit_imm 0\n"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    ASSERT_FALSE(run.events.transitions.empty());
    const TransitionEvent& first = run.events.transitions.front();
    EXPECT_EQ(int(first.kind), int(TransitionKind::iret));
    EXPECT_EQ(first.before.cpl, 0u);
    EXPECT_EQ(first.after.cpl, 3u);
    EXPECT_EQ(first.after.rip, run.facts.entry);
    EXPECT_EQ(first.after.cs, 0x33);
    EXPECT_EQ(first.after.ss, 0x2b);
    EXPECT_TRUE(first.after.rflags & 0x200) << "user code runs with IF set";
    EXPECT_EQ(first.after.rsp % 16, 0u);
}

}  // namespace
}  // namespace sysentry::test
