// The tree is emptied through directory fds opened with O_NOFOLLOW, one level
// at a time, so nothing a guest planted (symlinks, mode-000 directories,
// deep nesting) can redirect or stop the removal.
#include "sysentry/scratch_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "host_fd.hpp"

namespace sysentry {

using fs_detail::neg_errno;
using fs_detail::UniqueFd;

namespace {

constexpr mode_t kOwnerAll = S_IRWXU;  // 0700: list, delete from and enter

struct Entry {
    std::string name;
    bool is_dir;
};

// Names in the directory an O_PATH fd names; "." and ".." excluded.
std::expected<std::vector<Entry>, int> list_entries(int dir_fd) {
    int read_fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (read_fd < 0) return std::unexpected(neg_errno());
    DIR* dir = ::fdopendir(read_fd);  // takes ownership of read_fd
    if (dir == nullptr) {
        int err = neg_errno();
        ::close(read_fd);
        return std::unexpected(err);
    }
    std::vector<Entry> entries;
    while (dirent* ent = ::readdir(dir)) {
        std::string name = ent->d_name;
        if (name == "." || name == "..") continue;
        struct stat st{};
        bool is_dir = ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                      S_ISDIR(st.st_mode);
        entries.push_back({std::move(name), is_dir});
    }
    ::closedir(dir);
    return entries;
}

// Opens a subdirectory (never a symlink) and makes it ours to empty.
std::expected<UniqueFd, int> enter(int dir_fd, const std::string& name) {
    UniqueFd sub(::openat(dir_fd, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub.get() < 0) return std::unexpected(neg_errno());
    if (int err = fs_detail::chmod_fd(sub.get(), kOwnerAll)) return std::unexpected(err);
    return sub;
}

// Empties the directory `top_fd` names. Depth-first with one directory fd open
// at a time (a guest can nest deeper than RLIMIT_NOFILE); the way back up is
// "..", checked against the remembered parent's identity.
int empty_tree(int top_fd) {
    struct Level {
        std::string name;  // of the child we descended into
        dev_t dev;         // identity of the parent we came from
        ino_t ino;
    };
    std::vector<Level> stack;
    UniqueFd cur(::fcntl(top_fd, F_DUPFD_CLOEXEC, 0));
    if (cur.get() < 0) return neg_errno();
    if (int err = fs_detail::chmod_fd(cur.get(), kOwnerAll)) return err;
    for (;;) {
        auto entries = list_entries(cur.get());
        if (!entries) return entries.error();
        const Entry* subdir = nullptr;
        for (const Entry& e : *entries) {
            if (e.is_dir) {
                subdir = &e;
                continue;
            }
            if (::unlinkat(cur.get(), e.name.c_str(), 0) != 0 && errno != ENOENT)
                return neg_errno();
        }
        if (subdir != nullptr) {
            struct stat st{};
            if (::fstat(cur.get(), &st) != 0) return neg_errno();
            auto sub = enter(cur.get(), subdir->name);
            if (!sub) return sub.error();
            stack.push_back({subdir->name, st.st_dev, st.st_ino});
            cur = std::move(*sub);
            continue;
        }
        if (stack.empty()) return 0;
        Level level = std::move(stack.back());
        stack.pop_back();
        UniqueFd parent(::openat(cur.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (parent.get() < 0) return neg_errno();
        struct stat st{};
        if (::fstat(parent.get(), &st) != 0) return neg_errno();
        if (st.st_dev != level.dev || st.st_ino != level.ino) return -ESTALE;  // moved under us
        if (::unlinkat(parent.get(), level.name.c_str(), AT_REMOVEDIR) != 0) return neg_errno();
        cur = std::move(parent);
    }
}

}  // namespace

std::expected<ScratchRoot, int> ScratchRoot::create(std::string_view prefix) {
    const char* tmpdir = std::getenv("TMPDIR");
    std::filesystem::path base = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/tmp";
    std::string templ = (base / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(templ.data()) == nullptr) return std::unexpected(neg_errno());  // made 0700
    int fd = ::open(templ.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = neg_errno();
        ::rmdir(templ.c_str());
        return std::unexpected(err);
    }
    return ScratchRoot(std::filesystem::path(templ), fd);
}

ScratchRoot::ScratchRoot(ScratchRoot&& other) noexcept
    : path_(std::exchange(other.path_, {})), dir_fd_(std::exchange(other.dir_fd_, -1)) {}

ScratchRoot& ScratchRoot::operator=(ScratchRoot&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::exchange(other.path_, {});
        dir_fd_ = std::exchange(other.dir_fd_, -1);
    }
    return *this;
}

ScratchRoot::~ScratchRoot() { remove(); }

int ScratchRoot::remove() {
    if (dir_fd_ < 0) return 0;
    int err = empty_tree(dir_fd_);
    if (err == 0) {
        // Only remove the name if it still is the directory we made.
        struct stat ours{}, named{};
        if (::fstat(dir_fd_, &ours) == 0 && ::lstat(path_.c_str(), &named) == 0 &&
            ours.st_dev == named.st_dev && ours.st_ino == named.st_ino &&
            ::rmdir(path_.c_str()) != 0)
            err = neg_errno();
    }
    ::close(dir_fd_);
    dir_fd_ = -1;
    path_.clear();
    return err;
}

}  // namespace sysentry
