// The seed note's categories and the man-page signatures cover every syscall
// table entry, and `table NAME` shows a line the strace formatter really decoded.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sysentry/syscall_catalogue.hpp"
#include "sysentry/syscall_example.hpp"
#include "sysentry/syscall_reference.hpp"

namespace sysentry {
namespace {

TEST(syscall_reference, every_entry_of_all_tables_has_a_category) {
    for (const SyscallEntry& e : syscall_catalogue())
        EXPECT_NE(find_syscall_reference(e.name), nullptr) << to_string(e.abi) << " " << e.nr << " " << e.name;
}

TEST(syscall_reference, has_no_row_for_a_name_no_table_has) {
    std::set<std::string_view> names;
    for (const SyscallEntry& e : syscall_catalogue()) names.insert(e.name);
    for (const SyscallReference& r : syscall_references()) EXPECT_TRUE(names.contains(r.name)) << r.name;
    EXPECT_EQ(syscall_references().size(), names.size());
}

TEST(syscall_reference, sorts_calls_as_the_seed_note_does) {
    auto category = [](std::string_view name) { return find_syscall_reference(name)->category; };
    EXPECT_EQ(category("fork"), SyscallCategory::process);
    EXPECT_EQ(category("execve"), SyscallCategory::process);
    EXPECT_EQ(category("exit_group"), SyscallCategory::process);
    EXPECT_EQ(category("wait4"), SyscallCategory::process);
    EXPECT_EQ(category("mmap"), SyscallCategory::process);
    EXPECT_EQ(category("open"), SyscallCategory::file);
    EXPECT_EQ(category("write"), SyscallCategory::file);
    EXPECT_EQ(category("lseek"), SyscallCategory::file);
    EXPECT_EQ(category("chmod"), SyscallCategory::file);
    EXPECT_EQ(category("ioctl"), SyscallCategory::device);
    EXPECT_EQ(category("mount"), SyscallCategory::device);
    EXPECT_EQ(category("gettimeofday"), SyscallCategory::information);
    EXPECT_EQ(category("uname"), SyscallCategory::information);
    EXPECT_EQ(category("getpid"), SyscallCategory::information);
    EXPECT_EQ(category("socket"), SyscallCategory::communication);
    EXPECT_EQ(category("pipe"), SyscallCategory::communication);
    EXPECT_EQ(category("msgsnd"), SyscallCategory::communication);
}

TEST(syscall_reference, every_category_has_calls) {
    for (SyscallCategory c : kSyscallCategories)
        EXPECT_GT(std::ranges::count(syscall_references(), c, &SyscallReference::category), 10) << to_string(c);
}

TEST(syscall_reference, parses_category_names_and_titles) {
    EXPECT_EQ(parse_category("communication"), SyscallCategory::communication);
    EXPECT_EQ(parse_category("information maintenance"), SyscallCategory::information);
    EXPECT_EQ(parse_category("files"), std::nullopt);
}

TEST(syscall_reference, signatures_come_from_the_man_pages) {
    EXPECT_EQ(find_syscall_reference("write")->signature, "ssize_t write(int fd, const void buf[.count], size_t count);");
    EXPECT_EQ(find_syscall_reference("getpid")->signature, "pid_t getpid(void);");
    EXPECT_TRUE(find_syscall_reference("arch_prctl")->signature.starts_with("int syscall(SYS_arch_prctl, int code"));
    EXPECT_EQ(find_syscall_reference("tuxcall")->signature, "");  // never implemented, no page
}

TEST(syscall_example, is_decoded_by_the_strace_formatter) {
    std::string write = example_strace_line("write");
    EXPECT_TRUE(write.starts_with("write(1, \"hello\\n\", 6)")) << write;
    EXPECT_TRUE(write.ends_with(" = 6")) << write;
    std::string open = example_strace_line("openat");
    EXPECT_TRUE(open.starts_with("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC)")) << open;
    std::string access = example_strace_line("access");
    EXPECT_TRUE(access.ends_with("= -1 ENOENT (No such file or directory)")) << access;
    EXPECT_EQ(example_strace_line("exit_group"), "exit_group(0)                           = ?");
}

TEST(syscall_example, has_a_line_for_every_name) {
    for (const SyscallReference& r : syscall_references()) {
        std::string line = example_strace_line(r.name);
        EXPECT_TRUE(line.starts_with(std::string(r.name) + "(") || line.starts_with("syscall_")) << line;
    }
}

}  // namespace
}  // namespace sysentry
