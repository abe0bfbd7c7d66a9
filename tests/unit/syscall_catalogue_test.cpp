#include "sysentry/syscall_catalogue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace sysentry {
namespace {

constexpr std::array kAllAbis = {SyscallAbi::x86_64, SyscallAbi::x32, SyscallAbi::i386};

void expect_syscall(SyscallAbi abi, int nr, std::string_view name, std::string_view entry) {
  const SyscallEntry* e = find_syscall(abi, nr);
  ASSERT_NE(e, nullptr) << to_string(abi) << " " << nr;
  EXPECT_EQ(e->abi, abi);
  EXPECT_EQ(e->nr, nr);
  EXPECT_EQ(e->name, name) << to_string(abi) << " " << nr;
  EXPECT_EQ(e->entry, entry) << to_string(abi) << " " << nr;
}

TEST(syscall_catalogue, knows_well_known_x86_64_numbers) {
  expect_syscall(SyscallAbi::x86_64, 0, "read", "sys_read");
  expect_syscall(SyscallAbi::x86_64, 1, "write", "sys_write");
  expect_syscall(SyscallAbi::x86_64, 39, "getpid", "sys_getpid");
  expect_syscall(SyscallAbi::x86_64, 59, "execve", "sys_execve");
  expect_syscall(SyscallAbi::x86_64, 60, "exit", "sys_exit");
  expect_syscall(SyscallAbi::x86_64, 158, "arch_prctl", "sys_arch_prctl");
  expect_syscall(SyscallAbi::x86_64, 231, "exit_group", "sys_exit_group");
  expect_syscall(SyscallAbi::x86_64, 334, "rseq", "sys_rseq");
  expect_syscall(SyscallAbi::x86_64, 435, "clone3", "sys_clone3");
  expect_syscall(SyscallAbi::x86_64, 462, "mseal", "sys_mseal");
  expect_syscall(SyscallAbi::x86_64, 470, "listns", "sys_listns");
}

TEST(syscall_catalogue, reserved_numbers_map_to_sys_ni_syscall) {
  expect_syscall(SyscallAbi::x86_64, 134, "uselib", "sys_ni_syscall");
  expect_syscall(SyscallAbi::x86_64, 174, "create_module", "sys_ni_syscall");
  expect_syscall(SyscallAbi::i386, 17, "break", "sys_ni_syscall");
}

TEST(syscall_catalogue, x32_shares_common_rows_and_has_its_own_range) {
  expect_syscall(SyscallAbi::x32, 1, "write", "sys_write");
  expect_syscall(SyscallAbi::x32, 512, "rt_sigaction", "compat_sys_rt_sigaction");
  expect_syscall(SyscallAbi::x32, 520, "execve", "compat_sys_execve");
  expect_syscall(SyscallAbi::x32, 547, "pwritev2", "compat_sys_pwritev64v2");
  // 64-only rows are not x32 rows, and x32-only rows are not x86_64 rows.
  EXPECT_EQ(find_syscall(SyscallAbi::x32, 13), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::x86_64, 512), nullptr);
  EXPECT_EQ(syscall_number(SyscallAbi::x32, "rt_sigaction"), 512);
  EXPECT_EQ(syscall_number(SyscallAbi::x86_64, "rt_sigaction"), 13);
  EXPECT_EQ(kX32SyscallBit, 0x40000000u);
}

TEST(syscall_catalogue, knows_well_known_i386_numbers) {
  expect_syscall(SyscallAbi::i386, 1, "exit", "sys_exit");
  expect_syscall(SyscallAbi::i386, 4, "write", "sys_write");
  expect_syscall(SyscallAbi::i386, 11, "execve", "sys_execve");
  expect_syscall(SyscallAbi::i386, 20, "getpid", "sys_getpid");
  expect_syscall(SyscallAbi::i386, 243, "set_thread_area", "sys_set_thread_area");
  expect_syscall(SyscallAbi::i386, 252, "exit_group", "sys_exit_group");
  expect_syscall(SyscallAbi::i386, 470, "listns", "sys_listns");
}

TEST(syscall_catalogue, holes_and_out_of_range_numbers_are_absent) {
  EXPECT_EQ(find_syscall(SyscallAbi::x86_64, 400), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::x86_64, 337), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::x86_64, 471), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::x86_64, -1), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::x32, 548), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::x32, static_cast<int>(kX32SyscallBit) + 1), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::i386, 222), nullptr);
  EXPECT_EQ(find_syscall(SyscallAbi::i386, 251), nullptr);
  EXPECT_EQ(syscall_number(SyscallAbi::x86_64, "no_such_call"), std::nullopt);
  EXPECT_EQ(syscall_number(SyscallAbi::x86_64, "socketcall"), std::nullopt);  // i386 only
}

TEST(syscall_catalogue, max_numbers_match_linux_6_19) {
  EXPECT_EQ(max_syscall_nr(SyscallAbi::x86_64), 470);
  EXPECT_EQ(max_syscall_nr(SyscallAbi::x32), 547);
  EXPECT_EQ(max_syscall_nr(SyscallAbi::i386), 470);
}

TEST(syscall_catalogue, max_number_is_the_last_assigned_one) {
  for (SyscallAbi abi : kAllAbis) {
    const int max_nr = max_syscall_nr(abi);
    EXPECT_NE(find_syscall(abi, max_nr), nullptr) << to_string(abi);
    EXPECT_EQ(find_syscall(abi, max_nr + 1), nullptr) << to_string(abi);
  }
}

TEST(syscall_catalogue, rows_are_grouped_by_abi_and_ascending) {
  const auto rows = syscall_catalogue();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front().abi, SyscallAbi::x86_64);
  EXPECT_EQ(rows.back().abi, SyscallAbi::i386);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const bool same_abi = rows[i].abi == rows[i - 1].abi;
    EXPECT_TRUE(rows[i].abi > rows[i - 1].abi || (same_abi && rows[i].nr > rows[i - 1].nr)) << i;
  }
}

TEST(syscall_catalogue, every_row_round_trips_through_number_and_name) {
  for (const SyscallEntry& e : syscall_catalogue()) {
    EXPECT_EQ(find_syscall(e.abi, e.nr), &e) << to_string(e.abi) << " " << e.name;
    EXPECT_EQ(syscall_number(e.abi, e.name), e.nr) << to_string(e.abi) << " " << e.name;
    EXPECT_LE(e.nr, max_syscall_nr(e.abi));
  }
}

TEST(syscall_catalogue, abi_names) {
  EXPECT_EQ(to_string(SyscallAbi::x86_64), "x86_64");
  EXPECT_EQ(to_string(SyscallAbi::x32), "x32");
  EXPECT_EQ(to_string(SyscallAbi::i386), "i386");
}

// --- Cross-checks against the table files and the host's kernel headers ---

#ifdef SYSENTRY_SOURCE_DIR
using RowKey = std::pair<SyscallAbi, int>;
using Row = std::pair<std::string, std::string>;  // name, entry point

// Expands the .tbl files the way the build does, independently of CMake.
std::map<RowKey, Row> read_table_rows(const std::filesystem::path& table) {
  std::map<RowKey, Row> rows;
  std::ifstream in(table);
  EXPECT_TRUE(in.good()) << table;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    int nr = 0;
    std::string abi, name, entry;
    if (!(fields >> nr >> abi >> name)) continue;
    if (!(fields >> entry)) entry = "sys_ni_syscall";
    if (abi == "common" || abi == "64") rows[{SyscallAbi::x86_64, nr}] = {name, entry};
    if (abi == "common" || abi == "x32") rows[{SyscallAbi::x32, nr}] = {name, entry};
    if (abi == "i386") rows[{SyscallAbi::i386, nr}] = {name, entry};
  }
  return rows;
}

TEST(syscall_catalogue, matches_every_row_of_the_table_files) {
  const std::filesystem::path table_dir = std::filesystem::path(SYSENTRY_SOURCE_DIR) / "kernel_model/syscalls/table";
  std::map<RowKey, Row> rows = read_table_rows(table_dir / "syscall_64.tbl");
  rows.merge(read_table_rows(table_dir / "syscall_32.tbl"));
  ASSERT_EQ(syscall_catalogue().size(), rows.size());
  for (const auto& [key, row] : rows) {
    const SyscallEntry* e = find_syscall(key.first, key.second);
    ASSERT_NE(e, nullptr) << to_string(key.first) << " " << key.second;
    EXPECT_EQ(e->name, row.first);
    EXPECT_EQ(e->entry, row.second);
  }
}
#else
TEST(syscall_catalogue, matches_every_row_of_the_table_files) {
  GTEST_SKIP() << "SYSENTRY_SOURCE_DIR (the repository root) is not defined; cannot locate the .tbl files";
}
#endif

// Parses `#define __NR_<name> <value>` lines; x32 values read
// `(__X32_SYSCALL_BIT + N)`, from which N is taken.
std::vector<std::pair<std::string, int>> read_unistd_header(const std::filesystem::path& header) {
  static const std::regex kDefine(R"(^#define __NR_(\w+)\s+\(?(?:__X32_SYSCALL_BIT \+ )?(\d+)\)?\s*$)");
  std::vector<std::pair<std::string, int>> numbers;
  std::ifstream in(header);
  std::string line;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_match(line, match, kDefine)) numbers.emplace_back(match[1], std::stoi(match[2]));
  }
  return numbers;
}

// Debian's linux-libc-dev headers are an older kernel, so a subset of ours.
void expect_header_subset(SyscallAbi abi, const char* header_name, std::size_t min_count) {
  const std::filesystem::path header = std::filesystem::path("/usr/include/x86_64-linux-gnu/asm") / header_name;
  if (!std::filesystem::exists(header)) GTEST_SKIP() << header << " not installed";
  const auto numbers = read_unistd_header(header);
  EXPECT_GE(numbers.size(), min_count) << "header parse found too few entries in " << header;
  for (const auto& [name, nr] : numbers) {
    const SyscallEntry* e = find_syscall(abi, nr);
    ASSERT_NE(e, nullptr) << header_name << ": __NR_" << name << " " << nr;
    EXPECT_EQ(e->name, name) << header_name << ": " << nr;
  }
}

TEST(syscall_catalogue, agrees_with_host_unistd_64_header) { expect_header_subset(SyscallAbi::x86_64, "unistd_64.h", 300); }

TEST(syscall_catalogue, agrees_with_host_unistd_x32_header) { expect_header_subset(SyscallAbi::x32, "unistd_x32.h", 300); }

TEST(syscall_catalogue, agrees_with_host_unistd_32_header) { expect_header_subset(SyscallAbi::i386, "unistd_32.h", 400); }

}  // namespace
}  // namespace sysentry
