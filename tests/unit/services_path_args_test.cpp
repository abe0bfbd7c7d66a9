// The argument helpers the service families share (kernel_model/syscalls/
// path_args.hpp): guest strings and buffers copied through a fake address
// space with per-page permissions, and (dirfd, path) resolution against a
// real SandboxFs over a temporary directory.
#include "../../kernel_model/syscalls/path_args.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sysentry {
namespace {

using namespace syscall_args;
namespace fs = std::filesystem;

// Guest memory made of 4 KiB pages, each readable and optionally writable;
// addresses outside any page fault.
class FakeMemory final : public UserMemory {
public:
    void map(uint64_t page, bool writable) { pages_[page] = Page{std::vector<uint8_t>(kPageSize), writable}; }

    bool read(uint64_t va, void* dst, size_t len) const override {
        for (size_t i = 0; i < len; ++i) {
            auto it = pages_.find((va + i) & ~(kPageSize - 1));
            if (it == pages_.end()) return false;
            static_cast<uint8_t*>(dst)[i] = it->second.bytes[(va + i) % kPageSize];
        }
        return true;
    }
    bool write(uint64_t va, const void* src, size_t len) override {
        for (size_t i = 0; i < len; ++i) {  // check first: a failed copy changes nothing here
            auto it = pages_.find((va + i) & ~(kPageSize - 1));
            if (it == pages_.end() || !it->second.writable) return false;
        }
        for (size_t i = 0; i < len; ++i)
            pages_[(va + i) & ~(kPageSize - 1)].bytes[(va + i) % kPageSize] = static_cast<const uint8_t*>(src)[i];
        return true;
    }
    void fill(uint64_t va, std::string_view s) {
        for (size_t i = 0; i < s.size(); ++i) pages_[(va + i) & ~(kPageSize - 1)].bytes[(va + i) % kPageSize] = s[i];
    }

private:
    struct Page {
        std::vector<uint8_t> bytes;
        bool writable = true;
    };
    std::map<uint64_t, Page> pages_;
};

constexpr uint64_t kBase = 0x10000;

TEST(services_path_args, copy_path_reads_a_string_that_crosses_a_page) {
    FakeMemory mm;
    mm.map(kBase, true);
    mm.map(kBase + kPageSize, true);
    mm.fill(kBase + kPageSize - 3, std::string("/etc/passwd") + '\0');
    auto path = copy_path(mm, kBase + kPageSize - 3);
    ASSERT_TRUE(path.has_value());
    EXPECT_EQ(*path, "/etc/passwd");
}

TEST(services_path_args, copy_path_faults_when_the_string_runs_into_an_unmapped_page) {
    FakeMemory mm;
    mm.map(kBase, true);
    mm.fill(kBase + kPageSize - 4, "abcd");  // no NUL before the page ends
    EXPECT_EQ(copy_path(mm, kBase + kPageSize - 4).error(), -EFAULT);
    EXPECT_EQ(copy_path(mm, 0).error(), -EFAULT);
}

TEST(services_path_args, copy_path_rejects_empty_unless_allowed) {
    FakeMemory mm;
    mm.map(kBase, true);
    EXPECT_EQ(copy_path(mm, kBase).error(), -ENOENT);
    auto empty = copy_path(mm, kBase, true);
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(*empty, "");
}

TEST(services_path_args, copy_path_allows_path_max_minus_one_bytes_and_no_more) {
    FakeMemory mm;
    mm.map(kBase, true);
    mm.map(kBase + kPageSize, true);
    mm.fill(kBase, std::string(kPathMax - 1, 'a'));  // then the zeroed byte at kPathMax - 1
    auto ok = copy_path(mm, kBase);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->size(), kPathMax - 1);
    mm.fill(kBase, std::string(kPathMax, 'a'));
    EXPECT_EQ(copy_path(mm, kBase).error(), -ENAMETOOLONG);
}

TEST(services_path_args, access_ok_checks_the_user_range) {
    EXPECT_TRUE(access_ok(0, 0));
    EXPECT_TRUE(access_ok(~0ull, 0));
    EXPECT_TRUE(access_ok(kBase, 100));
    EXPECT_TRUE(access_ok(kTaskSizeMax - 1, 1));
    EXPECT_FALSE(access_ok(kTaskSizeMax - 1, 2));
    EXPECT_FALSE(access_ok(kBase, ~0ull));  // wraps
}

TEST(services_path_args, copies_stop_at_the_first_inaccessible_page) {
    FakeMemory mm;
    mm.map(kBase, true);
    std::vector<uint8_t> buf(100, 0x55);
    EXPECT_EQ(copy_from_user_prefix(mm, kBase + kPageSize - 10, buf.data(), buf.size()), 10u);
    EXPECT_EQ(copy_to_user_prefix(mm, kBase + kPageSize - 30, buf.data(), buf.size()), 30u);
    EXPECT_EQ(copy_from_user_prefix(mm, kBase + kPageSize, buf.data(), buf.size()), 0u);
}

TEST(services_path_args, writable_prefix_stops_at_a_read_only_page_and_keeps_contents) {
    FakeMemory mm;
    mm.map(kBase, true);
    mm.map(kBase + kPageSize, false);
    mm.fill(kBase + kPageSize - 5, "hello");
    EXPECT_EQ(writable_prefix(mm, kBase + kPageSize - 5, 50), 5u);
    char back[6] = {};
    ASSERT_TRUE(mm.read(kBase + kPageSize - 5, back, 5));
    EXPECT_STREQ(back, "hello");
    EXPECT_EQ(writable_prefix(mm, kBase, 3 * kPageSize), kPageSize);
}

class ResolveAtTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/sysentry-path-args-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root_ = tmpl;
        fs::create_directories(root_ / "dir/sub");
        std::FILE* f = std::fopen((root_ / "file").c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fclose(f);
        auto sandbox = SandboxFs::open_root(root_);
        ASSERT_TRUE(sandbox.has_value());
        fs_ = std::make_unique<SandboxFs>(std::move(*sandbox));
    }
    void TearDown() override { fs::remove_all(root_); }

    int install(const char* guest_path, int flags) {
        auto host = fs_->open(guest_path, flags, 0);
        EXPECT_TRUE(host.has_value());
        return fds_.install(std::make_shared<OpenFile>(host.value_or(-1), flags, guest_path), false);
    }

    fs::path root_;
    std::unique_ptr<SandboxFs> fs_;
    FdTable fds_;
};

TEST_F(ResolveAtTest, absolute_paths_ignore_even_a_bad_dirfd) {
    auto r = resolve_at(*fs_, fds_, "/dir", 99, "/file");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, "/file");
}

TEST_F(ResolveAtTest, at_fdcwd_joins_the_working_directory) {
    auto r = resolve_at(*fs_, fds_, "/dir", kAtFdcwd, "sub");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, "/dir/sub");
}

TEST_F(ResolveAtTest, a_directory_fd_is_the_base_and_follows_renames) {
    int dirfd = install("/dir", O_RDONLY | O_DIRECTORY);
    auto r = resolve_at(*fs_, fds_, "/", dirfd, "sub");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, "/dir/sub");
    fs::rename(root_ / "dir", root_ / "moved");
    auto moved = resolve_at(*fs_, fds_, "/", dirfd, "sub");
    ASSERT_TRUE(moved.has_value());
    EXPECT_EQ(*moved, "/moved/sub");
}

TEST_F(ResolveAtTest, bad_and_non_directory_fds_fail_as_in_linux) {
    int filefd = install("/file", O_RDONLY);
    EXPECT_EQ(resolve_at(*fs_, fds_, "/", 42, "x").error(), -EBADF);
    EXPECT_EQ(resolve_at(*fs_, fds_, "/", -1, "x").error(), -EBADF);
    EXPECT_EQ(resolve_at(*fs_, fds_, "/", filefd, "x").error(), -ENOTDIR);
}

}  // namespace
}  // namespace sysentry
