// guest/examples/syscall_wrapper.s: a hand-written syscall(2) moves the C
// arguments into the kernel's registers and turns -errno into -1 and errno.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/syscall.h>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

TEST(syscall_wrapper, prints_what_it_prints_natively) {
    GuestRun run = run_elf(example("syscall-wrapper"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    EXPECT_NE(run.out.find("hello from my_syscall\nwrite returned 22\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("close(999) returned -1, errno 9 (Bad file descriptor)\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("mmap gave a page: written into the new page\n"), std::string::npos) << run.out;
    int mine = 0, libc = -1;
    size_t at = run.out.find("getpid: ");
    ASSERT_NE(at, std::string::npos) << run.out;
    EXPECT_EQ(std::sscanf(run.out.c_str() + at, "getpid: my_syscall %d, libc %d", &mine, &libc), 2);
    EXPECT_EQ(mine, libc);
    ProcessRun native = run_native(run.elf);
    EXPECT_EQ(native.exit_code, 0) << describe(native);
    EXPECT_NE(native.out.find("close(999) returned -1, errno 9"), std::string::npos) << native.out;
}

TEST(syscall_wrapper, the_kernel_sees_the_arguments_in_its_own_registers) {
    GuestRun run = run_elf(example("syscall-wrapper"));
    ASSERT_TRUE(run.exited(0)) << describe(run);
    auto close = run.events.first_syscall("close");
    ASSERT_TRUE(close);
    EXPECT_EQ(close->args[0], 999u);
    EXPECT_EQ(close->ret, -9);  // -EBADF in rax; the wrapper made it -1 and errno
    // The six-argument mmap: arg4 reached r10 (not rcx) and arg6 came from the C stack.
    bool found = false;
    for (const SyscallRecord& s : run.events.syscalls) {
        // fd -1 was an int in a variadic call: only its low 32 bits are defined (the kernel reads an int).
        if (s.name != "mmap" || s.args[1] != 4096 || uint32_t(s.args[4]) != uint32_t(-1)) continue;
        found = true;
        EXPECT_EQ(s.args[0], 0u);
        EXPECT_EQ(s.args[2], uint64_t(PROT_READ | PROT_WRITE));
        EXPECT_EQ(s.args[3], uint64_t(MAP_PRIVATE | MAP_ANONYMOUS));
        EXPECT_EQ(s.args[5], 0u);
    }
    EXPECT_TRUE(found) << "no mmap(NULL, 4096, ..., -1, 0) was made";
    EXPECT_TRUE(run.facts.symbols.contains("my_syscall"));
}

}  // namespace
}  // namespace sysentry::test
