// The guest's root through the real CLI: `--root DIR` is never changed without
// `--rw` (and is with it), the default root holds /proc, /dev and /tmp, and a
// hostile guest reaches no host file outside its root, whichever the mode.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// Names, types, modes, sizes, contents, link targets, link counts and mtimes of a tree.
std::string tree_snapshot(const fs::path& dir) {
    struct stat top{};
    lstat(dir.c_str(), &top);
    std::vector<std::string> lines{fmt::format(". mode={:o} mtime={}.{}", top.st_mode, top.st_mtim.tv_sec,
                                               top.st_mtim.tv_nsec)};
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        struct stat st{};
        lstat(it->path().c_str(), &st);
        std::string body = S_ISLNK(st.st_mode) ? fs::read_symlink(it->path()).string()
                           : S_ISREG(st.st_mode) ? read_file(it->path())
                                                 : "";
        lines.push_back(fmt::format("{} mode={:o} nlink={} size={} mtime={}.{} [{}]",
                                    fs::relative(it->path(), dir).string(), st.st_mode, st.st_nlink, st.st_size,
                                    st.st_mtim.tv_sec, st.st_mtim.tv_nsec, body));
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
}

void make_user_root(const fs::path& root) {
    fs::create_directories(root / "etc");
    fs::create_directories(root / "data");
    fs::create_directories(root / "empty");
    write_file(root / "etc/motd", "lower motd\n");
    write_file(root / "etc/keep", "keep\n");
    write_file(root / "data/a", "A");
    write_file(root / "data/b", "B");
}

// Every kind of change, then what the guest sees afterwards.
constexpr std::string_view kMutator = R"c(
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check(const char* what, int rc) { if (rc != 0) { perror(what); exit(1); } return rc; }

static void show(const char* path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("%s: missing\n", path); return; }
    read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%s: %s", path, buf);
}

static void list(const char* path) {
    struct dirent** names;
    int n = scandir(path, &names, NULL, alphasort);
    printf("%s:", path);
    for (int i = 0; i < n; ++i) printf(" %s", names[i]->d_name);
    printf("\n");
}

int main(void) {
    int fd = open("/new.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    check("write new", write(fd, "fresh\n", 6) == 6 ? 0 : -1);
    close(fd);
    fd = open("/etc/motd", O_WRONLY | O_TRUNC);
    check("rewrite", write(fd, "changed\n", 8) == 8 ? 0 : -1);
    close(fd);
    check("rename", rename("/data/a", "/data/a2"));
    check("unlink", unlink("/data/b"));
    check("chmod", chmod("/etc/keep", 0600));
    check("mkdir", mkdir("/newdir", 0755));
    check("mkdir sub", mkdir("/data/sub", 0700));
    check("rmdir", rmdir("/empty"));
    check("symlink", symlink("/etc/motd", "/newlink"));
    check("link", link("/etc/keep", "/keep2"));
    check("truncate", truncate("/data/a2", 0));
    show("/new.txt");
    show("/etc/motd");
    show("/newlink");
    show("/data/b");
    list("/");
    list("/data");
    struct stat st;
    stat("/etc/keep", &st);
    printf("keep mode %o nlink %lu\n", st.st_mode & 07777, (unsigned long)st.st_nlink);
    return 0;
}
)c";

constexpr std::string_view kMutatorSees =
    "/new.txt: fresh\n/etc/motd: changed\n/newlink: changed\n/data/b: missing\n"
    "/: . .. bin data etc keep2 new.txt newdir newlink\n/data: . .. a2 sub\nkeep mode 600 nlink 2\n";

class sandbox_root : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        build_dir_.emplace(temp_dir("sysentry-sandbox-build"));
        auto mutator = build_c(kMutator, "gcc", build_dir_->path());
        ASSERT_TRUE(mutator) << mutator.error();
        mutator_ = *mutator;
    }
    static void TearDownTestSuite() { build_dir_.reset(); }

    // A root with the mutator inside as /bin/mutator.
    static ScratchRoot prepared_root() {
        ScratchRoot root = temp_dir("sysentry-user-root");
        make_user_root(root.path());
        fs::create_directories(root.path() / "bin");
        fs::copy_file(mutator_, root.path() / "bin/mutator");
        return root;
    }

    static inline std::optional<ScratchRoot> build_dir_;
    static inline fs::path mutator_;
};

TEST_F(sandbox_root, root_is_never_changed_without_rw) {
    ScratchRoot root = prepared_root();
    std::string before = tree_snapshot(root.path());
    ProcessRun run = run_cli({"run", "--root", root.path().string(), (root.path() / "bin/mutator").string()});
    ASSERT_EQ(run.status(), 0) << describe(run);
    EXPECT_EQ(run.out, kMutatorSees) << "the guest must see its own changes";
    EXPECT_EQ(tree_snapshot(root.path()), before);
}

TEST_F(sandbox_root, rw_lets_the_changes_land_in_the_root) {
    ScratchRoot root = prepared_root();
    ProcessRun run =
        run_cli({"run", "--root", root.path().string(), "--rw", (root.path() / "bin/mutator").string()});
    ASSERT_EQ(run.status(), 0) << describe(run);
    EXPECT_EQ(run.out, kMutatorSees);
    const fs::path& r = root.path();
    EXPECT_EQ(read_file(r / "new.txt"), "fresh\n");
    EXPECT_EQ(read_file(r / "etc/motd"), "changed\n");
    EXPECT_TRUE(fs::exists(r / "data/a2"));
    EXPECT_EQ(fs::file_size(r / "data/a2"), 0u);
    EXPECT_FALSE(fs::exists(r / "data/a"));
    EXPECT_FALSE(fs::exists(r / "data/b"));
    EXPECT_FALSE(fs::exists(r / "empty"));
    EXPECT_TRUE(fs::is_directory(r / "newdir"));
    EXPECT_TRUE(fs::is_directory(r / "data/sub"));
    EXPECT_EQ(fs::read_symlink(r / "newlink"), "/etc/motd");
    EXPECT_EQ(fs::hard_link_count(r / "keep2"), 2u);
    EXPECT_EQ(fs::status(r / "etc/keep").permissions(), fs::perms(0600));
}

TEST_F(sandbox_root, rw_needs_a_root) {
    ProcessRun run = run_cli({"run", "--rw", mutator_.string()});
    EXPECT_EQ(run.status(), 125) << describe(run);
}

TEST_F(sandbox_root, default_root_holds_proc_dev_and_tmp_and_starts_in_slash) {
    constexpr std::string_view kLister = R"c(
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    char cwd[256];
    struct dirent** names;
    int n = scandir("/", &names, NULL, alphasort);
    printf("cwd %s:", getcwd(cwd, sizeof cwd));
    for (int i = 0; i < n; ++i) printf(" %s", names[i]->d_name);
    FILE* f = fopen("/tmp/scratch", "w");
    printf("\ntmp writable %d\n", f != NULL);
    return 0;
}
)c";
    ScratchRoot dir = temp_dir("sysentry-lister");
    auto exe = build_c(kLister, "gcc", dir.path());
    ASSERT_TRUE(exe) << exe.error();
    ProcessRun run = run_cli({"run", exe->string()}, "", dir.path());
    ASSERT_EQ(run.status(), 0) << describe(run);
    EXPECT_EQ(run.out, "cwd /: . .. dev proc tmp\ntmp writable 1\n");
}

// execve reads the program from the guest's root, including a file that
// exists only in the copy-on-write layer.
TEST_F(sandbox_root, execve_loads_programs_from_the_guest_root) {
    const fs::path busybox = "/bin/busybox";
    if (!fs::exists(busybox)) GTEST_SKIP() << "busybox-static is not installed";
    ScratchRoot root = temp_dir("sysentry-exec-root");
    fs::create_directories(root.path() / "bin");
    fs::copy_file(busybox, root.path() / "bin/busybox");
    std::string before = tree_snapshot(root.path());
    ProcessRun run = run_cli({"run", "--root", root.path().string(), (root.path() / "bin/busybox").string(), "sh",
                              "-c", "cp /bin/busybox /bin/echo && /bin/echo from the copy"});
    ASSERT_EQ(run.status(), 0) << describe(run);
    EXPECT_EQ(run.out, "from the copy\n");
    EXPECT_EQ(tree_snapshot(root.path()), before);
}

// ---------------------------------------------------------------- escapes ----

// argv: mode, the secret's host path, a host directory outside the root, a host executable outside it.
// Prints "LEAK ..." when it got anything of the host's, else "blocked".
constexpr std::string_view kEscaper = R"c(
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *secret, *outside, *program;
static char up[8192];

static int leak_if_read(int fd, const char* how) {
    char buf[64] = {0};
    if (fd < 0) return 0;
    long n = read(fd, buf, sizeof buf - 1);
    if (n > 0 && strstr(buf, "host secret")) { printf("LEAK %s read the secret\n", how); return 1; }
    return 0;
}

static int leak_if_written(int fd, const char* how) {
    if (fd >= 0 && write(fd, "guest was here\n", 15) == 15) printf("wrote through %s (inside the root?)\n", how);
    return 0;
}

int main(int argc, char** argv) {
    const char* mode = argv[1];
    secret = argv[2], outside = argv[3], program = argv[4];
    strcpy(up, "/");
    for (int i = 0; i < 40; ++i) strcat(up, "../");
    char path[16384];
    int leaked = 0;
    if (!strcmp(mode, "dotdot")) {
        snprintf(path, sizeof path, "%s%s", up, secret + 1);
        leaked = leak_if_read(open(path, O_RDONLY), "..");
        leak_if_written(open(path, O_WRONLY | O_TRUNC), "..");
    } else if (!strcmp(mode, "absolute")) {
        leaked = leak_if_read(open(secret, O_RDONLY), "absolute");
        leak_if_written(open(secret, O_WRONLY | O_APPEND), "absolute");
    } else if (!strcmp(mode, "symlink_absolute")) {
        symlink(secret, "/l");
        leaked = leak_if_read(open("/l", O_RDONLY), "absolute symlink");
        leak_if_written(open("/l", O_WRONLY | O_TRUNC), "absolute symlink");
        symlink(outside, "/ldir");
        snprintf(path, sizeof path, "/ldir/planted");
        leak_if_written(open(path, O_WRONLY | O_CREAT, 0644), "symlinked directory");
    } else if (!strcmp(mode, "symlink_relative")) {
        snprintf(path, sizeof path, "%s%s", up + 1, secret + 1);
        symlink(path, "/r");
        leaked = leak_if_read(open("/r", O_RDONLY), "relative symlink");
        leak_if_written(open("/r", O_WRONLY | O_APPEND), "relative symlink");
    } else if (!strcmp(mode, "proc_self_root")) {
        snprintf(path, sizeof path, "/proc/self/root%s", secret);
        leaked = leak_if_read(open(path, O_RDONLY), "/proc/self/root");
        snprintf(path, sizeof path, "/proc/%d/root%s", getpid(), secret);
        leaked |= leak_if_read(open(path, O_RDONLY), "/proc/PID/root");
    } else if (!strcmp(mode, "openat_dirfd")) {
        int dfd = open("/", O_RDONLY | O_DIRECTORY);
        snprintf(path, sizeof path, "%s%s", up + 1, secret + 1);
        leaked = leak_if_read(openat(dfd, path, O_RDONLY), "openat(dirfd, ..)");
        leak_if_written(openat(dfd, path, O_WRONLY | O_TRUNC), "openat(dirfd, ..)");
        chdir(up);
        leaked |= leak_if_read(open(secret + 1, O_RDONLY), "chdir(..) then a relative open");
    } else if (!strcmp(mode, "rename_link_out")) {
        close(open("/mine", O_WRONLY | O_CREAT, 0644));
        snprintf(path, sizeof path, "%s%s/planted", up, outside + 1);
        if (rename("/mine", path) == 0) printf("renamed out? (inside the root?)\n");
        if (link("/mine", path) == 0) printf("linked out? (inside the root?)\n");
        snprintf(path, sizeof path, "%s%s", up, secret + 1);
        if (rename(path, "/stolen") == 0) leaked = printf("LEAK rename took the secret\n");
        if (link(path, "/stolen") == 0) leaked = leak_if_read(open("/stolen", O_RDONLY), "a hard link");
        unlink(path);
    } else if (!strcmp(mode, "execve_outside")) {
        char* args[] = {(char*)program, (char*)"--version", NULL};
        execve(program, args, NULL);
        int direct = errno;
        snprintf(path, sizeof path, "%s%s", up, program + 1);
        execve(path, args, NULL);
        symlink(program, "/exe");
        execve("/exe", args, NULL);
        printf("execve: %s\n", strerror(direct));
    }
    printf("%s\n", leaked ? "LEAKED" : "blocked");
    return 0;
}
)c";

struct Escape {
    std::string name;
    std::string expected_line;  // besides "blocked"
    friend void PrintTo(const Escape& e, std::ostream* os) { *os << e.name; }
};

class escape : public ::testing::TestWithParam<Escape> {
protected:
    static void SetUpTestSuite() {
        build_dir_.emplace(temp_dir("sysentry-escaper-build"));
        auto exe = build_c(kEscaper, "gcc", build_dir_->path());
        ASSERT_TRUE(exe) << exe.error();
        escaper_ = *exe;
    }
    static void TearDownTestSuite() { build_dir_.reset(); }
    static inline std::optional<ScratchRoot> build_dir_;
    static inline fs::path escaper_;
};

// Each escape, in each kind of root: the default one, --root, and --root --rw.
TEST_P(escape, host_files_stay_unread_and_untouched) {
    const Escape& e = GetParam();
    ScratchRoot outside = temp_dir("sysentry-outside");
    fs::path secret = write_file(outside.path() / "secret", "host secret\n");
    fs::path program = write_file(outside.path() / "program", read_file(escaper_), fs::perms(0755));
    std::string outside_before = tree_snapshot(outside.path());
    for (std::string_view mode : {"default", "cow", "rw"}) {
        SCOPED_TRACE(mode);
        ScratchRoot root = temp_dir("sysentry-escape-root");
        std::vector<std::string> args{"run"};
        if (mode != "default") args.insert(args.end(), {"--root", root.path().string()});
        if (mode == "rw") args.push_back("--rw");
        args.insert(args.end(), {escaper_.string(), e.name, secret.string(), outside.path().string(), program.string()});
        ProcessRun run = run_cli(args);
        EXPECT_EQ(run.status(), 0) << describe(run);
        EXPECT_EQ(run.out.find("LEAK"), std::string::npos) << run.out;
        EXPECT_TRUE(run.out.ends_with("blocked\n")) << run.out;
        if (!e.expected_line.empty()) {
            EXPECT_NE(run.out.find(e.expected_line), std::string::npos) << run.out;
        }
        EXPECT_EQ(tree_snapshot(outside.path()), outside_before) << "a host file outside the root changed";
    }
}

INSTANTIATE_TEST_SUITE_P(
    sandbox_root, escape,
    ::testing::Values(Escape{"dotdot", ""}, Escape{"absolute", ""}, Escape{"symlink_absolute", ""},
                      Escape{"symlink_relative", ""}, Escape{"proc_self_root", ""}, Escape{"openat_dirfd", ""},
                      Escape{"rename_link_out", ""},
                      Escape{"execve_outside", "execve: No such file or directory"}),
    [](const ::testing::TestParamInfo<Escape>& info) { return info.param.name; });

}  // namespace
}  // namespace sysentry::test
