// ScratchRoot: a private temporary guest root whose removal never follows
// symlinks the guest may have planted.
#include "sysentry/scratch_root.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace sysentry {
namespace {

namespace fs = std::filesystem;

std::string read_host_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A host directory outside the scratch root holding files the guest targets.
class HostBystander {
public:
    HostBystander() {
        std::string templ = (fs::temp_directory_path() / "scratch-bystander-XXXXXX").string();
        EXPECT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
        fs::create_directories(dir_ / "subdir");
        std::ofstream(dir_ / "precious") << "keep me\n";
        std::ofstream(dir_ / "subdir" / "inner") << "inner\n";
    }
    ~HostBystander() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

TEST(ScratchRoot, creates_private_empty_directory) {
    auto root = ScratchRoot::create("scratch-test");
    ASSERT_TRUE(root.has_value()) << root.error();
    struct stat st{};
    ASSERT_EQ(::lstat(root->path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_TRUE(fs::is_empty(root->path()));
    EXPECT_EQ(root->path().filename().string().rfind("scratch-test-", 0), 0u);
}

TEST(ScratchRoot, honours_tmpdir) {
    HostBystander base;
    const char* old = std::getenv("TMPDIR");
    std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    ::setenv("TMPDIR", base.dir().c_str(), 1);
    auto root = ScratchRoot::create();
    if (saved) ::setenv("TMPDIR", saved->c_str(), 1); else ::unsetenv("TMPDIR");
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(root->path().parent_path(), base.dir());
}

TEST(ScratchRoot, destructor_removes_links_never_their_targets) {
    HostBystander host;
    fs::path where;
    {
        auto root = ScratchRoot::create();
        ASSERT_TRUE(root.has_value());
        where = root->path();
        fs::create_directories(where / "a" / "b");
        std::ofstream(where / "a" / "file") << "guest\n";
        fs::create_symlink(host.dir() / "precious", where / "to_file");
        fs::create_directory_symlink(host.dir(), where / "to_dir");
        fs::create_directory_symlink(host.dir() / "subdir", where / "a" / "b" / "deep_link");
        fs::create_hard_link(host.dir() / "precious", where / "hardlink");
    }
    EXPECT_FALSE(fs::exists(fs::symlink_status(where)));
    EXPECT_EQ(read_host_file(host.dir() / "precious"), "keep me\n");
    EXPECT_EQ(read_host_file(host.dir() / "subdir" / "inner"), "inner\n");
    EXPECT_EQ(fs::hard_link_count(host.dir() / "precious"), 1u);
}

TEST(ScratchRoot, removes_unreadable_and_deeply_nested_directories) {
    fs::path where;
    {
        auto root = ScratchRoot::create();
        ASSERT_TRUE(root.has_value());
        where = root->path();
        fs::path deep = where;
        for (int i = 0; i < 200; ++i) deep /= "d";
        fs::create_directories(deep);
        std::ofstream(deep / "leaf") << "x";
        fs::create_directories(where / "locked" / "inner");
        std::ofstream(where / "locked" / "inner" / "f") << "x";
        fs::permissions(where / "locked" / "inner", fs::perms::none);
        fs::permissions(where / "locked", fs::perms::owner_read | fs::perms::owner_exec);
        fs::permissions(where, fs::perms::none);  // even the root itself
    }
    EXPECT_FALSE(fs::exists(fs::symlink_status(where)));
}

TEST(ScratchRoot, moved_object_owns_the_directory) {
    auto first = ScratchRoot::create();
    ASSERT_TRUE(first.has_value());
    fs::path where = first->path();
    ScratchRoot second = std::move(*first);
    EXPECT_TRUE(first->path().empty());
    EXPECT_TRUE(fs::is_directory(where));
    EXPECT_EQ(second.remove(), 0);
    EXPECT_FALSE(fs::exists(fs::symlink_status(where)));
    EXPECT_EQ(second.remove(), 0);  // idempotent
}

}  // namespace
}  // namespace sysentry
