// SandboxFs against real temporary directories. Each test builds a "world":
//   <world>/root/            the guest's "/"
//   <world>/outside/secret   a host file the guest must never read, change or delete
#include "sysentry/sandbox_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
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

constexpr const char* kSecret = "host secret\n";

std::string read_host_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_host_file(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

std::string read_fd(int fd) {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}

class SandboxFsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string templ = (fs::temp_directory_path() / "sandbox-fs-test-XXXXXX").string();
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        world_ = templ;
        root_ = world_ / "root";
        outside_ = world_ / "outside";
        secret_ = outside_ / "secret";
        fs::create_directories(root_);
        fs::create_directories(outside_ / "dir" / "inner");
        write_host_file(secret_, kSecret);
        ::stat(secret_.c_str(), &secret_before_);
        auto sandbox = SandboxFs::open_root(root_);
        ASSERT_TRUE(sandbox.has_value()) << sandbox.error();
        sfs_.emplace(std::move(*sandbox));
    }

    void TearDown() override {
        sfs_.reset();
        std::error_code ec;
        fs::permissions(world_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(world_, ec);  // removes symlinks, never their targets
    }

    // The host file outside the root is exactly as SetUp left it.
    void expect_outside_untouched() {
        struct stat now{};
        ASSERT_EQ(::stat(secret_.c_str(), &now), 0) << "secret was deleted";
        EXPECT_EQ(read_host_file(secret_), kSecret);
        EXPECT_EQ(now.st_mode, secret_before_.st_mode);
        EXPECT_EQ(now.st_ino, secret_before_.st_ino);
        EXPECT_EQ(now.st_nlink, secret_before_.st_nlink);
        EXPECT_EQ(now.st_mtim.tv_sec, secret_before_.st_mtim.tv_sec);
        EXPECT_EQ(now.st_mtim.tv_nsec, secret_before_.st_mtim.tv_nsec);
        EXPECT_TRUE(fs::is_directory(outside_ / "dir" / "inner"));
    }

    // A guest path that would name the host secret if ".." were not clamped.
    std::string dotdot_to_secret() const { return "/../../../../../../.." + secret_.string(); }

    void make_guest_file(const std::string& rel, const std::string& text) {
        fs::create_directories((root_ / rel).parent_path());
        write_host_file(root_ / rel, text);
    }

    fs::path world_, root_, outside_, secret_;
    struct stat secret_before_{};
    std::optional<SandboxFs> sfs_;
};

// ---- escapes ------------------------------------------------------------------

TEST_F(SandboxFsTest, dotdot_above_root_stays_inside_root) {
    make_guest_file("etc/passwd", "guest passwd\n");
    auto fd = sfs_->open("/../../etc/passwd", O_RDONLY, 0);
    ASSERT_TRUE(fd.has_value()) << fd.error();
    EXPECT_EQ(read_fd(*fd), "guest passwd\n");
    ::close(*fd);

    EXPECT_EQ(sfs_->open(dotdot_to_secret(), O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open(dotdot_to_secret(), O_WRONLY | O_TRUNC, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->stat(dotdot_to_secret(), true).error(), -ENOENT);
    EXPECT_EQ(sfs_->unlink(dotdot_to_secret()), -ENOENT);
    EXPECT_EQ(sfs_->truncate(dotdot_to_secret(), 0), -ENOENT);
    EXPECT_EQ(sfs_->chmod(dotdot_to_secret(), 0, true), -ENOENT);
    expect_outside_untouched();
}

TEST_F(SandboxFsTest, dotdot_at_root_is_the_root) {
    auto root_stat = sfs_->stat("/..", true);
    ASSERT_TRUE(root_stat.has_value());
    struct stat host{};
    ASSERT_EQ(::stat(root_.c_str(), &host), 0);
    EXPECT_EQ(root_stat->st_ino, host.st_ino);
    EXPECT_EQ(sfs_->canonical_directory("/../..").value(), "/");
    // ".." as the final name is never a name: these act on nothing outside.
    EXPECT_EQ(sfs_->rmdir("/.."), -ENOTEMPTY);
    EXPECT_EQ(sfs_->unlink("/.."), -EISDIR);
    EXPECT_EQ(sfs_->rename("/..", "/x"), -EBUSY);
    expect_outside_untouched();
    EXPECT_TRUE(fs::is_directory(root_));
}

TEST_F(SandboxFsTest, absolute_symlink_resolves_inside_root) {
    make_guest_file("etc/hostname", "guest\n");
    ASSERT_EQ(sfs_->symlink("/etc", "/etclink"), 0);
    auto fd = sfs_->open("/etclink/hostname", O_RDONLY, 0);
    ASSERT_TRUE(fd.has_value()) << fd.error();
    EXPECT_EQ(read_fd(*fd), "guest\n");
    ::close(*fd);
    // The host's /etc/passwd exists, the guest's does not.
    EXPECT_EQ(sfs_->open("/etclink/passwd", O_RDONLY, 0).error(), -ENOENT);
}

TEST_F(SandboxFsTest, absolute_symlink_to_host_path_cannot_reach_host) {
    ASSERT_EQ(sfs_->symlink(outside_.string(), "/abs"), 0);
    ASSERT_EQ(sfs_->symlink(secret_.string(), "/abs_file"), 0);
    EXPECT_EQ(sfs_->open("/abs/secret", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/abs_file", O_RDWR | O_TRUNC, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/abs_file", O_WRONLY | O_APPEND, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->stat("/abs_file", true).error(), -ENOENT);
    EXPECT_EQ(sfs_->stat("/abs/", false).error(), -ENOENT);  // trailing slash follows
    EXPECT_EQ(sfs_->access("/abs_file", F_OK, true), -ENOENT);
    EXPECT_EQ(sfs_->truncate("/abs_file", 0), -ENOENT);
    EXPECT_EQ(sfs_->chmod("/abs_file", 0, true), -ENOENT);
    EXPECT_EQ(sfs_->chmod("/abs_file", 0, false), -EOPNOTSUPP);
    EXPECT_EQ(sfs_->chown("/abs_file", 0, 0, true), -ENOENT);
    EXPECT_EQ(sfs_->utimens("/abs_file", nullptr, true), -ENOENT);
    EXPECT_EQ(sfs_->unlink("/abs/secret"), -ENOENT);
    EXPECT_EQ(sfs_->rmdir("/abs/dir/inner"), -ENOENT);
    EXPECT_EQ(sfs_->rmdir("/abs/"), -ENOTDIR);  // rmdir never follows the last name
    EXPECT_EQ(sfs_->rename("/abs/secret", "/stolen"), -ENOENT);
    EXPECT_EQ(sfs_->rename("/stolen", "/abs/secret"), -ENOENT);
    EXPECT_EQ(sfs_->link("/abs/secret", "/stolen"), -ENOENT);
    EXPECT_EQ(sfs_->link("/abs_file", "/stolen", true), -ENOENT);
    EXPECT_EQ(sfs_->mkdir("/abs/dir/new", 0755), -ENOENT);
    EXPECT_EQ(sfs_->symlink("x", "/abs/dir/new"), -ENOENT);
    EXPECT_FALSE(sfs_->canonical_directory("/abs").has_value());
    // readlink reports the stored text; that reveals nothing the guest did not write.
    EXPECT_EQ(sfs_->readlink("/abs_file").value(), secret_.string());
    expect_outside_untouched();
    EXPECT_FALSE(fs::exists(outside_ / "dir" / "new"));
}

TEST_F(SandboxFsTest, creating_through_dangling_symlink_creates_inside_root) {
    ASSERT_EQ(sfs_->symlink((outside_ / "planted").string(), "/plant"), 0);
    // The link's target directory does not exist inside the root.
    EXPECT_EQ(sfs_->open("/plant", O_CREAT | O_WRONLY, 0644).error(), -ENOENT);
    EXPECT_FALSE(fs::exists(outside_ / "planted"));
    // Once the guest builds the mirror path, the file lands inside the root.
    fs::create_directories(root_ / outside_.relative_path());
    auto fd = sfs_->open("/plant", O_CREAT | O_WRONLY, 0644);
    ASSERT_TRUE(fd.has_value()) << fd.error();
    ::close(*fd);
    EXPECT_TRUE(fs::exists(root_ / outside_.relative_path() / "planted"));
    EXPECT_FALSE(fs::exists(outside_ / "planted"));
    expect_outside_untouched();
}

TEST_F(SandboxFsTest, relative_symlink_cannot_climb_out) {
    ASSERT_EQ(sfs_->symlink("../../../..", "/up"), 0);
    ASSERT_EQ(sfs_->symlink("../outside", "/rel"), 0);
    fs::create_directories(root_ / "sub");
    ASSERT_EQ(sfs_->symlink("../../outside/secret", "/sub/rel_file"), 0);
    EXPECT_EQ(sfs_->canonical_directory("/up").value(), "/");
    EXPECT_EQ(sfs_->open("/up/outside/secret", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/up/../outside/secret", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/rel/secret", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("/sub/rel_file", O_WRONLY | O_TRUNC, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->unlink("/up/outside/secret"), -ENOENT);
    EXPECT_EQ(sfs_->truncate("/sub/rel_file", 0), -ENOENT);
    expect_outside_untouched();
}

TEST_F(SandboxFsTest, guest_cannot_write_host_file_via_hard_link) {
    // Hard links can only be made between names inside the root.
    EXPECT_EQ(sfs_->link(dotdot_to_secret(), "/mine"), -ENOENT);
    EXPECT_FALSE(fs::exists(root_ / "mine"));
    expect_outside_untouched();
}

TEST_F(SandboxFsTest, proc_self_root_is_not_the_hosts) {
    // No /proc inside the root unless the user made one.
    EXPECT_EQ(sfs_->open("/proc/self/root/etc/passwd", O_RDONLY, 0).error(), -ENOENT);
    ASSERT_EQ(sfs_->symlink("/proc/self/root", "/magic"), 0);
    EXPECT_EQ(sfs_->open("/magic/etc/passwd", O_RDONLY, 0).error(), -ENOENT);
}

TEST(SandboxFsProc, magic_links_are_refused_even_when_procfs_is_inside_root) {
    // Worst case: the granted root is procfs itself.
    auto proc = SandboxFs::open_root("/proc");
    ASSERT_TRUE(proc.has_value());
    EXPECT_EQ(proc->open("/self/root/etc/passwd", O_RDONLY, 0).error(), -ELOOP);
    EXPECT_EQ(proc->stat("/self/root", true).error(), -ELOOP);
    EXPECT_EQ(proc->stat("/self/cwd/", false).error(), -ELOOP);
    EXPECT_EQ(proc->canonical_directory("/self/root").error(), -ELOOP);
    EXPECT_EQ(proc->open("/thread-self/root/etc/passwd", O_RDONLY, 0).error(), -ELOOP);
    int probe = ::open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(probe, 0);
    std::string fd_path = "/self/fd/" + std::to_string(probe);
    EXPECT_EQ(proc->open(fd_path, O_RDONLY, 0).error(), -ELOOP);
    ::close(probe);
}

// ---- ordinary semantics -----------------------------------------------------------

TEST_F(SandboxFsTest, create_read_and_write_files) {
    auto fd = sfs_->open("/f", O_CREAT | O_EXCL | O_WRONLY, 0600);
    ASSERT_TRUE(fd.has_value());
    EXPECT_EQ(::write(*fd, "abc", 3), 3);
    EXPECT_NE(::fcntl(*fd, F_GETFD) & FD_CLOEXEC, 0);  // host fds are always close-on-exec
    ::close(*fd);
    EXPECT_EQ(read_host_file(root_ / "f"), "abc");
    EXPECT_EQ(sfs_->open("/f", O_CREAT | O_EXCL | O_WRONLY, 0600).error(), -EEXIST);
    auto rfd = sfs_->open("f", O_RDONLY | 0x40000000 /* unknown bit: ignored */, 0);
    ASSERT_TRUE(rfd.has_value()) << rfd.error();
    EXPECT_EQ(read_fd(*rfd), "abc");
    ::close(*rfd);
    auto tfd = sfs_->open("/f", O_WRONLY | O_TRUNC, 0);
    ASSERT_TRUE(tfd.has_value());
    ::close(*tfd);
    EXPECT_EQ(fs::file_size(root_ / "f"), 0u);
}

TEST_F(SandboxFsTest, open_flag_errors_match_linux) {
    make_guest_file("file", "x");
    fs::create_directories(root_ / "dir");
    ASSERT_EQ(sfs_->symlink("file", "/link"), 0);
    EXPECT_EQ(sfs_->open("/file/", O_RDONLY, 0).error(), -ENOTDIR);
    EXPECT_EQ(sfs_->open("/file", O_RDONLY | O_DIRECTORY, 0).error(), -ENOTDIR);
    EXPECT_EQ(sfs_->open("/link", O_RDONLY | O_NOFOLLOW, 0).error(), -ELOOP);
    EXPECT_EQ(sfs_->open("/dir", O_WRONLY, 0).error(), -EISDIR);
    EXPECT_EQ(sfs_->open("/new/", O_CREAT | O_WRONLY, 0644).error(), -EISDIR);
    EXPECT_EQ(sfs_->open("/missing", O_RDONLY, 0).error(), -ENOENT);
    EXPECT_EQ(sfs_->open("", O_RDONLY, 0).error(), -ENOENT);
    auto dfd = sfs_->open("/dir", O_RDONLY | O_DIRECTORY, 0);
    ASSERT_TRUE(dfd.has_value());
    ::close(*dfd);
}

TEST_F(SandboxFsTest, append_mode_appends) {
    make_guest_file("log", "one\n");
    auto fd = sfs_->open("/log", O_WRONLY | O_APPEND, 0);
    ASSERT_TRUE(fd.has_value());
    EXPECT_EQ(::write(*fd, "two\n", 4), 4);
    ::close(*fd);
    EXPECT_EQ(read_host_file(root_ / "log"), "one\ntwo\n");
}

TEST_F(SandboxFsTest, long_names_give_enametoolong) {
    std::string long_path = "/" + std::string(PATH_MAX, 'a');
    EXPECT_EQ(sfs_->open(long_path, O_RDONLY, 0).error(), -ENAMETOOLONG);
    EXPECT_EQ(sfs_->stat(long_path, true).error(), -ENAMETOOLONG);
    EXPECT_EQ(sfs_->mkdir(long_path, 0755), -ENAMETOOLONG);
    std::string long_component = "/" + std::string(NAME_MAX + 1, 'b');
    EXPECT_EQ(sfs_->open(long_component, O_CREAT | O_WRONLY, 0644).error(), -ENAMETOOLONG);
    EXPECT_EQ(sfs_->mkdir(long_component, 0755), -ENAMETOOLONG);
}

TEST_F(SandboxFsTest, symlink_loops_give_eloop) {
    ASSERT_EQ(sfs_->symlink("/b", "/a"), 0);
    ASSERT_EQ(sfs_->symlink("a", "/b"), 0);
    ASSERT_EQ(sfs_->symlink("self", "/self"), 0);
    EXPECT_EQ(sfs_->open("/a", O_RDONLY, 0).error(), -ELOOP);
    EXPECT_EQ(sfs_->stat("/self", true).error(), -ELOOP);
    EXPECT_EQ(sfs_->mkdir("/a/x", 0755), -ELOOP);
    EXPECT_TRUE(sfs_->stat("/self", false).has_value());  // lstat does not follow
}

TEST_F(SandboxFsTest, stat_and_lstat_differ_on_symlinks) {
    make_guest_file("d/file", "12345");
    ASSERT_EQ(sfs_->symlink("d/file", "/lf"), 0);
    ASSERT_EQ(sfs_->symlink("d", "/ld"), 0);
    EXPECT_TRUE(S_ISLNK(sfs_->stat("/lf", false)->st_mode));
    EXPECT_TRUE(S_ISREG(sfs_->stat("/lf", true)->st_mode));
    EXPECT_EQ(sfs_->stat("/lf", true)->st_size, 5);
    EXPECT_TRUE(S_ISDIR(sfs_->stat("/ld/", false)->st_mode));  // trailing slash follows
    EXPECT_EQ(sfs_->stat("/d/file/", true).error(), -ENOTDIR);
    auto stx = sfs_->statx("/lf", true, STATX_SIZE);
    ASSERT_TRUE(stx.has_value());
    EXPECT_EQ(stx->stx_size, 5u);
    EXPECT_TRUE(sfs_->statfs("/d").has_value());
}

TEST_F(SandboxFsTest, readlink_semantics) {
    make_guest_file("file", "x");
    ASSERT_EQ(sfs_->symlink("some/target", "/l"), 0);
    ASSERT_EQ(sfs_->symlink("/", "/lroot"), 0);
    EXPECT_EQ(sfs_->readlink("/l").value(), "some/target");
    EXPECT_EQ(sfs_->readlink("/file").error(), -EINVAL);
    EXPECT_EQ(sfs_->readlink("/").error(), -EINVAL);
    EXPECT_EQ(sfs_->readlink("/lroot/").error(), -EINVAL);  // follows to a directory
    EXPECT_EQ(sfs_->readlink("/missing").error(), -ENOENT);
}

TEST_F(SandboxFsTest, mkdir_rmdir_unlink_errors) {
    fs::create_directories(root_ / "full" / "child");
    fs::create_directories(root_ / "empty");
    make_guest_file("file", "x");
    EXPECT_EQ(sfs_->mkdir("/full", 0755), -EEXIST);
    EXPECT_EQ(sfs_->mkdir("/", 0755), -EEXIST);
    EXPECT_EQ(sfs_->mkdir("/nope/sub", 0755), -ENOENT);
    EXPECT_EQ(sfs_->mkdir("/file/sub", 0755), -ENOTDIR);
    EXPECT_EQ(sfs_->mkdir("/newdir/", 0755), 0);
    EXPECT_TRUE(fs::is_directory(root_ / "newdir"));
    EXPECT_EQ(sfs_->unlink("/full"), -EISDIR);
    EXPECT_EQ(sfs_->unlink("/file/"), -ENOTDIR);
    EXPECT_EQ(sfs_->unlink("/"), -EISDIR);
    EXPECT_EQ(sfs_->rmdir("/full"), -ENOTEMPTY);
    EXPECT_EQ(sfs_->rmdir("/file"), -ENOTDIR);
    EXPECT_EQ(sfs_->rmdir("/"), -EBUSY);
    EXPECT_EQ(sfs_->rmdir("/empty/."), -EINVAL);
    EXPECT_EQ(sfs_->rmdir("/empty/"), 0);
    EXPECT_EQ(sfs_->unlink("/file"), 0);
    EXPECT_FALSE(fs::exists(root_ / "empty"));
    EXPECT_FALSE(fs::exists(root_ / "file"));
}

TEST_F(SandboxFsTest, unlink_removes_symlink_not_target) {
    make_guest_file("target", "keep");
    ASSERT_EQ(sfs_->symlink("/target", "/l"), 0);
    ASSERT_EQ(sfs_->symlink(secret_.string(), "/host_l"), 0);
    EXPECT_EQ(sfs_->unlink("/l"), 0);
    EXPECT_EQ(sfs_->unlink("/host_l"), 0);
    EXPECT_EQ(read_host_file(root_ / "target"), "keep");
    expect_outside_untouched();
}

TEST_F(SandboxFsTest, rename_semantics) {
    fs::create_directories(root_ / "full" / "child");
    fs::create_directories(root_ / "src");
    fs::create_directories(root_ / "empty");
    make_guest_file("a", "A");
    make_guest_file("b", "B");
    EXPECT_EQ(sfs_->rename("/src", "/full"), -ENOTEMPTY);
    EXPECT_EQ(sfs_->rename("/src", "/empty"), 0);
    EXPECT_EQ(sfs_->rename("/a", "/b", RENAME_NOREPLACE), -EEXIST);
    EXPECT_EQ(sfs_->rename("/a", "/b", RENAME_EXCHANGE), 0);
    EXPECT_EQ(read_host_file(root_ / "a"), "B");
    EXPECT_EQ(sfs_->rename("/a/", "/c"), -ENOTDIR);
    EXPECT_EQ(sfs_->rename("/a", "/full"), -EISDIR);
    EXPECT_EQ(sfs_->rename("/empty", "/empty/inside"), -EINVAL);
    EXPECT_EQ(sfs_->rename("/", "/x"), -EBUSY);
    EXPECT_EQ(sfs_->rename("/a", "/moved"), 0);
    EXPECT_EQ(read_host_file(root_ / "moved"), "B");
}

TEST_F(SandboxFsTest, link_semantics) {
    make_guest_file("f", "data");
    fs::create_directories(root_ / "d");
    ASSERT_EQ(sfs_->symlink("f", "/sl"), 0);
    EXPECT_EQ(sfs_->link("/f", "/f2"), 0);
    EXPECT_EQ(sfs_->stat("/f", true)->st_nlink, 2u);
    EXPECT_EQ(sfs_->link("/f", "/f2"), -EEXIST);
    EXPECT_EQ(sfs_->link("/d", "/d2"), -EPERM);
    EXPECT_EQ(sfs_->link("/d/.", "/d2"), -EPERM);
    EXPECT_EQ(sfs_->link("/f/", "/x"), -ENOTDIR);
    // Without AT_SYMLINK_FOLLOW the new name is another symlink; with it, a file.
    EXPECT_EQ(sfs_->link("/sl", "/sl2"), 0);
    EXPECT_TRUE(S_ISLNK(sfs_->stat("/sl2", false)->st_mode));
    EXPECT_EQ(sfs_->link("/sl", "/f3", true), 0);
    EXPECT_TRUE(S_ISREG(sfs_->stat("/f3", false)->st_mode));
    EXPECT_EQ(sfs_->stat("/f", true)->st_nlink, 3u);
}

TEST_F(SandboxFsTest, symlink_and_mknod) {
    EXPECT_EQ(sfs_->symlink("", "/empty_target"), -ENOENT);
    EXPECT_EQ(sfs_->symlink("x", "/"), -EEXIST);
    EXPECT_EQ(sfs_->symlink("x", "/newname/"), -ENOENT);
    EXPECT_EQ(sfs_->mknod("/fifo", S_IFIFO | 0644, 0), 0);
    EXPECT_TRUE(S_ISFIFO(sfs_->stat("/fifo", false)->st_mode));
    EXPECT_EQ(sfs_->mknod("/null", S_IFCHR | 0666, makedev(1, 3)), -EPERM);
    EXPECT_FALSE(fs::exists(root_ / "null"));
    EXPECT_EQ(sfs_->truncate("/fifo", 0), -EINVAL);
}

TEST_F(SandboxFsTest, chmod_truncate_access_utimens) {
    make_guest_file("f", "0123456789");
    ASSERT_EQ(sfs_->symlink("f", "/l"), 0);
    EXPECT_EQ(sfs_->chmod("/l", 0640, true), 0);
    EXPECT_EQ(sfs_->stat("/f", true)->st_mode & 07777, 0640u);
    EXPECT_EQ(sfs_->chmod("/l", 0600, false), -EOPNOTSUPP);
    EXPECT_EQ(sfs_->truncate("/l", 3), 0);
    EXPECT_EQ(fs::file_size(root_ / "f"), 3u);
    EXPECT_EQ(sfs_->truncate("/f", -1), -EINVAL);
    EXPECT_EQ(sfs_->truncate("/", 0), -EISDIR);
    EXPECT_EQ(sfs_->access("/f", R_OK | W_OK, true), 0);
    EXPECT_EQ(sfs_->access("/f", X_OK, true), -EACCES);  // no x bit: even root is refused
    EXPECT_EQ(sfs_->access("/f", 0100, true), -EINVAL);
    EXPECT_EQ(sfs_->access("/nope", F_OK, true), -ENOENT);
    struct timespec times[2] = {{1000, 0}, {2000, 500}};
    EXPECT_EQ(sfs_->utimens("/l", times, true), 0);
    EXPECT_EQ(sfs_->stat("/f", true)->st_mtim.tv_sec, 2000);
    EXPECT_EQ(sfs_->stat("/f", true)->st_mtim.tv_nsec, 500);
    EXPECT_EQ(sfs_->utimens("/l", times, false), 0);  // touches the link itself
    EXPECT_EQ(sfs_->stat("/l", false)->st_mtim.tv_sec, 2000);
    struct timespec bad[2] = {{0, 1'000'000'000}, {0, 0}};
    EXPECT_EQ(sfs_->utimens("/f", bad, true), -EINVAL);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    EXPECT_EQ(sfs_->utimens("/nope", omit, true), 0);
}

TEST_F(SandboxFsTest, canonical_directory_resolves_symlinks) {
    fs::create_directories(root_ / "a" / "b");
    make_guest_file("file", "x");
    ASSERT_EQ(sfs_->symlink("a", "/la"), 0);
    ASSERT_EQ(sfs_->symlink("/a/b", "/abs_b"), 0);
    EXPECT_EQ(sfs_->canonical_directory("/").value(), "/");
    EXPECT_EQ(sfs_->canonical_directory("/a/../a/./b/").value(), "/a/b");
    EXPECT_EQ(sfs_->canonical_directory("/la/b").value(), "/a/b");
    EXPECT_EQ(sfs_->canonical_directory("/abs_b").value(), "/a/b");
    EXPECT_EQ(sfs_->canonical_directory("/abs_b/..").value(), "/a");
    EXPECT_EQ(sfs_->canonical_directory("/file").error(), -ENOTDIR);
    EXPECT_EQ(sfs_->canonical_directory("/nope").error(), -ENOENT);
    EXPECT_EQ(sfs_->canonical_directory("").error(), -ENOENT);
}

TEST_F(SandboxFsTest, join_at_follows_renamed_directories) {
    fs::create_directories(root_ / "a");
    make_guest_file("file", "x");
    auto dfd = sfs_->open("/a", O_RDONLY | O_DIRECTORY, 0);
    ASSERT_TRUE(dfd.has_value());
    EXPECT_EQ(sfs_->join_at(*dfd, "x").value(), "/a/x");
    EXPECT_EQ(sfs_->join_at(*dfd, "/abs").value(), "/abs");
    ASSERT_EQ(sfs_->rename("/a", "/c"), 0);
    EXPECT_EQ(sfs_->join_at(*dfd, "x").value(), "/c/x");
    EXPECT_EQ(sfs_->guest_path_of(*dfd).value(), "/c");
    ASSERT_EQ(sfs_->rmdir("/c"), 0);
    EXPECT_EQ(sfs_->join_at(*dfd, "x").error(), -ENOENT);
    ::close(*dfd);

    auto ffd = sfs_->open("/file", O_RDONLY, 0);
    ASSERT_TRUE(ffd.has_value());
    EXPECT_EQ(sfs_->join_at(*ffd, "x").error(), -ENOTDIR);
    EXPECT_EQ(sfs_->guest_path_of(*ffd).value(), "/file");
    ::close(*ffd);

    int host_fd = ::open(secret_.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(host_fd, 0);
    EXPECT_EQ(sfs_->guest_path_of(host_fd).error(), -ENOENT);  // not in the guest's world
    ::close(host_fd);
}

TEST(SandboxFsJoin, joins_like_the_kernel) {
    EXPECT_EQ(SandboxFs::join("/home/u", "f"), "/home/u/f");
    EXPECT_EQ(SandboxFs::join("/home/u/", "f"), "/home/u/f");
    EXPECT_EQ(SandboxFs::join("/", "f"), "/f");
    EXPECT_EQ(SandboxFs::join("/home/u", "/etc/x"), "/etc/x");
    EXPECT_EQ(SandboxFs::join("/home/u", "../x"), "/home/u/../x");
    EXPECT_EQ(SandboxFs::join("/home/u", ""), "");
}

TEST(SandboxFsOpenRoot, root_must_be_an_existing_directory) {
    EXPECT_EQ(SandboxFs::open_root("/nonexistent-sandbox-root-xyz").error(), -ENOENT);
    EXPECT_EQ(SandboxFs::open_root("/etc/passwd").error(), -ENOTDIR);
}

}  // namespace
}  // namespace sysentry
