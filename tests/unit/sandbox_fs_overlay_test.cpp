// SandboxFs in copy-on-write mode (open_overlay) against real directories:
//   <world>/lower/    the user's --root: read, never written
//   <world>/upper/    where the guest's changes land
//   <world>/outside/  host files the guest must never reach
// Every test ends by checking that the lower tree is byte for byte, mode for
// mode and time for time what it was.
#include "sysentry/sandbox_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sysentry {
namespace {

namespace fs = std::filesystem;

std::string read_host(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_host(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string read_fd(int fd) {
    std::string out;
    char buf[256];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
    return out;
}

// Everything observable about a tree: names, types, modes, sizes, contents,
// link targets, inode numbers, link counts and modification times.
std::string snapshot(const fs::path& dir) {
    std::vector<std::string> lines;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        struct stat st{};
        ::lstat(it->path().c_str(), &st);
        std::string body = S_ISLNK(st.st_mode) ? fs::read_symlink(it->path()).string()
                           : S_ISREG(st.st_mode) ? read_host(it->path())
                                                 : "";
        lines.push_back(fmt::format("{} mode={:o} ino={} nlink={} size={} mtime={}.{} [{}]",
                                    fs::relative(it->path(), dir).string(), st.st_mode, st.st_ino, st.st_nlink,
                                    st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec, body));
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
}

class SandboxFsOverlay : public ::testing::Test {
protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "overlay-fs-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        world_ = templ;
        lower_ = world_ / "lower";
        upper_ = world_ / "upper";
        outside_ = world_ / "outside";
        fs::create_directories(upper_);
        write_host(lower_ / "etc/motd", "lower motd\n");
        write_host(lower_ / "etc/keep", "keep\n");
        write_host(lower_ / "data/a", "A");
        write_host(lower_ / "data/b", "B");
        fs::create_directories(lower_ / "empty");
        fs::create_symlink("/etc/motd", lower_ / "motd-link");
        fs::create_symlink(outside_ / "secret", lower_ / "host-link");
        write_host(outside_ / "secret", "host secret\n");
        lower_before_ = snapshot(lower_);
        outside_before_ = snapshot(outside_);
        auto sandbox = SandboxFs::open_overlay(lower_, upper_);
        ASSERT_TRUE(sandbox.has_value()) << sandbox.error();
        sfs_.emplace(std::move(*sandbox));
    }

    void TearDown() override {
        sfs_.reset();
        EXPECT_EQ(snapshot(lower_), lower_before_) << "the lower layer changed";
        EXPECT_EQ(snapshot(outside_), outside_before_) << "a host file outside the root changed";
        std::error_code ec;
        fs::remove_all(world_, ec);
    }

    std::string guest_read(const std::string& path) {
        auto fd = sfs_->open(path, O_RDONLY, 0);
        if (!fd) return fmt::format("<error {}>", fd.error());
        std::string text = read_fd(*fd);
        ::close(*fd);
        return text;
    }

    void guest_write(const std::string& path, const std::string& text, int flags = O_WRONLY | O_TRUNC) {
        auto fd = sfs_->open(path, flags, 0644);
        ASSERT_TRUE(fd.has_value()) << path << ": " << fd.error();
        ASSERT_EQ(::write(*fd, text.data(), text.size()), ssize_t(text.size()));
        ::close(*fd);
    }

    std::vector<std::string> names(const std::string& dir) {
        auto listing = sfs_->list_directory(dir);
        EXPECT_TRUE(listing.has_value()) << dir;
        std::vector<std::string> out;
        if (listing)
            for (auto& e : *listing) out.push_back(e.name);
        std::sort(out.begin(), out.end());  // the host's order is the file system's business
        return out;
    }

    fs::path world_, lower_, upper_, outside_;
    std::string lower_before_, outside_before_;
    std::optional<SandboxFs> sfs_;
};

using Names = std::vector<std::string>;

TEST_F(SandboxFsOverlay, reads_come_from_the_lower_layer) {
    EXPECT_TRUE(sfs_->layered());
    EXPECT_EQ(guest_read("/etc/motd"), "lower motd\n");
    EXPECT_EQ(guest_read("/motd-link"), "lower motd\n");
    EXPECT_EQ(sfs_->readlink("/motd-link").value(), "/etc/motd");
    EXPECT_EQ(sfs_->canonical_directory("/etc/../data").value(), "/data");
    EXPECT_TRUE(fs::is_empty(upper_)) << "reading copied something up";
}

TEST_F(SandboxFsOverlay, writing_copies_up_and_leaves_the_lower_file_alone) {
    guest_write("/etc/motd", "guest motd\n");
    EXPECT_EQ(guest_read("/etc/motd"), "guest motd\n");
    EXPECT_EQ(read_host(upper_ / "etc/motd"), "guest motd\n");
    guest_write("/etc/keep", "+more\n", O_WRONLY | O_APPEND);
    EXPECT_EQ(guest_read("/etc/keep"), "keep\n+more\n");
    // Through a symlink of the lower layer, resolved in the merged tree.
    guest_write("/motd-link", "via link\n");
    EXPECT_EQ(guest_read("/etc/motd"), "via link\n");
}

TEST_F(SandboxFsOverlay, attribute_changes_copy_up) {
    EXPECT_EQ(sfs_->chmod("/data/a", 0600, true), 0);
    EXPECT_EQ(sfs_->stat("/data/a", true)->st_mode & 07777, 0600u);
    EXPECT_EQ(sfs_->truncate("/data/b", 0), 0);
    EXPECT_EQ(sfs_->stat("/data/b", true)->st_size, 0);
    struct timespec times[2] = {{1000, 0}, {2000, 0}};
    EXPECT_EQ(sfs_->utimens("/etc/keep", times, true), 0);
    EXPECT_EQ(sfs_->stat("/etc/keep", true)->st_mtim.tv_sec, 2000);
    EXPECT_EQ(guest_read("/etc/keep"), "keep\n");  // the data came along
    EXPECT_EQ(sfs_->chmod("/empty", 0700, true), 0);
    EXPECT_EQ(sfs_->stat("/empty", true)->st_mode & 07777, 0700u);
}

TEST_F(SandboxFsOverlay, changes_through_a_read_only_fd_copy_up) {
    auto fd = sfs_->open("/data/a", O_RDONLY, 0);
    ASSERT_TRUE(fd.has_value());
    EXPECT_EQ(sfs_->fchmod(*fd, 0604), 0);
    struct timespec times[2] = {{5, 0}, {6, 0}};
    EXPECT_EQ(sfs_->futimens(*fd, times), 0);
    ::close(*fd);
    EXPECT_EQ(sfs_->stat("/data/a", true)->st_mode & 07777, 0604u);
    EXPECT_EQ(sfs_->stat("/data/a", true)->st_mtim.tv_sec, 6);
}

TEST_F(SandboxFsOverlay, deletions_leave_whiteouts_that_listings_honour) {
    EXPECT_EQ(names("/data"), (Names{".", "..", "a", "b"}));
    EXPECT_EQ(sfs_->unlink("/data/a"), 0);
    EXPECT_EQ(sfs_->stat("/data/a", false).error(), -ENOENT);
    EXPECT_EQ(sfs_->unlink("/data/a"), -ENOENT);
    guest_write("/data/c", "C", O_WRONLY | O_CREAT | O_EXCL);
    EXPECT_EQ(names("/data"), (Names{".", "..", "b", "c"}));
    // A new file under a deleted name starts empty, not with the lower bytes.
    guest_write("/data/a", "new", O_WRONLY | O_CREAT);
    EXPECT_EQ(guest_read("/data/a"), "new");
    EXPECT_EQ(sfs_->unlink("/motd-link"), 0);
    EXPECT_EQ(sfs_->stat("/etc/motd", true)->st_size, 11);  // the link went, not its target
}

TEST_F(SandboxFsOverlay, a_directory_made_again_does_not_show_the_old_contents) {
    EXPECT_EQ(sfs_->rmdir("/data"), -ENOTEMPTY);
    EXPECT_EQ(sfs_->unlink("/data/a"), 0);
    EXPECT_EQ(sfs_->unlink("/data/b"), 0);
    EXPECT_EQ(sfs_->rmdir("/data"), 0);
    EXPECT_EQ(sfs_->stat("/data", true).error(), -ENOENT);
    EXPECT_EQ(sfs_->mkdir("/data", 0755), 0);
    EXPECT_EQ(names("/data"), (Names{".", ".."}));
    EXPECT_EQ(sfs_->open("/data/a", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->rmdir("/empty"), 0);
    EXPECT_EQ(names("/"), (Names{".", "..", "data", "etc", "host-link", "motd-link"}));
}

TEST_F(SandboxFsOverlay, renames_and_links) {
    EXPECT_EQ(sfs_->rename("/etc/motd", "/etc/motd.old"), 0);
    EXPECT_EQ(guest_read("/etc/motd.old"), "lower motd\n");
    EXPECT_EQ(sfs_->stat("/etc/motd", false).error(), -ENOENT);
    EXPECT_EQ(guest_read("/motd-link"), "<error -2>");
    EXPECT_EQ(sfs_->rename("/data/a", "/data/b"), 0);  // over a lower file
    EXPECT_EQ(guest_read("/data/b"), "A");
    EXPECT_EQ(names("/data"), (Names{".", "..", "b"}));
    EXPECT_EQ(sfs_->rename("/etc", "/etc2"), -EXDEV);  // a merged directory: mv copies instead
    EXPECT_EQ(sfs_->mkdir("/new", 0755), 0);
    EXPECT_EQ(sfs_->rename("/new", "/empty"), 0);  // an upper directory over an empty lower one
    EXPECT_EQ(sfs_->link("/etc/keep", "/keep2"), 0);
    EXPECT_EQ(sfs_->stat("/keep2", true)->st_nlink, 2u);
    EXPECT_EQ(sfs_->rename("/etc/keep", "/data/b", RENAME_EXCHANGE), 0);
    EXPECT_EQ(guest_read("/etc/keep"), "A");
    EXPECT_EQ(guest_read("/data/b"), "keep\n");
}

TEST_F(SandboxFsOverlay, the_reserved_names_stay_invisible) {
    EXPECT_EQ(sfs_->unlink("/data/a"), 0);
    EXPECT_EQ(sfs_->stat("/data/.wh.a", false).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/.wh.x", O_CREAT | O_WRONLY, 0644).error(), -EPERM);
    EXPECT_EQ(sfs_->mkdir("/.wh..wh..opq", 0755), -EPERM);
}

TEST_F(SandboxFsOverlay, escapes_stay_inside_the_layers) {
    EXPECT_EQ(sfs_->open("/host-link", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/host-link", O_WRONLY | O_CREAT | O_TRUNC, 0644).error(), -ENOENT);
    std::string dotdot = "/../../../../../.." + (outside_ / "secret").string();
    EXPECT_EQ(sfs_->open(dotdot, O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->rename("/data/a", "/../outside/stolen"), -ENOENT);
    EXPECT_EQ(sfs_->link(dotdot, "/mine"), -ENOENT);
    EXPECT_EQ(sfs_->symlink("../../../outside", "/up"), 0);
    EXPECT_EQ(sfs_->open("/up/secret", O_RDONLY, 0).error(), -ENOENT);
}

TEST_F(SandboxFsOverlay, dotdot_climbs_deep_trees_exactly) {
    constexpr int kDepth = 100;  // deeper than the walk's stack of ancestors
    std::string deep;
    for (int i = 0; i < kDepth; ++i) deep += "/d";
    fs::create_directories(lower_.string() + deep);
    lower_before_ = snapshot(lower_);
    std::string up_half, up_all;
    for (int i = 0; i < kDepth / 2; ++i) up_half += "/..";
    for (int i = 0; i < kDepth + 5; ++i) up_all += "/..";
    EXPECT_EQ(sfs_->canonical_directory(deep + up_half).value(), deep.substr(0, deep.size() / 2));
    EXPECT_EQ(guest_read(deep + up_all + "/etc/motd"), "lower motd\n");
    EXPECT_EQ(sfs_->mkdir(deep + up_half + "/new", 0755), 0);  // copies up fifty levels
    EXPECT_EQ(names(deep.substr(0, deep.size() / 2)), (Names{".", "..", "d", "new"}));
}

TEST_F(SandboxFsOverlay, guest_paths_of_fds_in_either_layer) {
    auto low = sfs_->open("/etc", O_RDONLY | O_DIRECTORY, 0);
    ASSERT_TRUE(low.has_value());
    EXPECT_EQ(sfs_->join_at(*low, "motd").value(), "/etc/motd");
    ::close(*low);
    guest_write("/etc/new", "n", O_WRONLY | O_CREAT);
    auto up = sfs_->open("/etc/new", O_RDONLY, 0);
    ASSERT_TRUE(up.has_value());
    EXPECT_EQ(sfs_->guest_path_of(*up).value(), "/etc/new");
    ::close(*up);
}

}  // namespace
}  // namespace sysentry
