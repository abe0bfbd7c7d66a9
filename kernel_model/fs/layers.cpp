// Looking names up across the two layers; no change to either happens here.
#include "layers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace sysentry::fs_detail {

UniqueFd dup_fd(int fd) { return UniqueFd(fd < 0 ? -1 : ::fcntl(fd, F_DUPFD_CLOEXEC, 0)); }

std::expected<std::optional<struct stat>, int> lstat_at(int dirfd, const std::string& name) {
    struct stat st{};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return st;
    if (errno == ENOENT) return std::nullopt;
    return std::unexpected(neg_errno());
}

std::expected<UniqueFd, int> open_dir_at(int dirfd, const std::string& name) {
    UniqueFd fd(::openat(dirfd, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(neg_errno());
    return fd;
}

namespace {

bool exists_at(int dirfd, const std::string& name) {
    auto st = lstat_at(dirfd, name);
    return st && st->has_value();
}

std::string whiteout_name(const std::string& name) { return std::string(kWhiteoutPrefix) + name; }

}  // namespace

bool Layers::reserved(std::string_view name) const {
    return has_lower() && name.starts_with(kWhiteoutPrefix);
}

std::expected<DirNode, int> Layers::root() const {
    DirNode node{dup_fd(upper_root_.get()), dup_fd(lower_root_.get()), {}};
    if (node.upper.get() < 0 || (has_lower() && node.lower.get() < 0)) return std::unexpected(neg_errno());
    return node;
}

std::expected<std::optional<Entry>, int> Layers::lookup(const DirNode& dir, const std::string& name) const {
    if (reserved(name)) return std::nullopt;
    if (dir.upper.get() >= 0) {
        auto st = lstat_at(dir.upper.get(), name);
        if (!st) return std::unexpected(st.error());
        if (*st) return Entry{Layer::upper, **st};
        if (dir.lower.get() >= 0 && exists_at(dir.upper.get(), whiteout_name(name))) return std::nullopt;
    }
    if (dir.lower.get() < 0) return std::nullopt;
    auto st = lstat_at(dir.lower.get(), name);
    if (!st) return std::unexpected(st.error());
    if (!*st) return std::nullopt;
    return Entry{Layer::lower, **st};
}

std::expected<DirNode, int> Layers::enter(const DirNode& dir, const std::string& name, const Entry& entry) const {
    DirNode child;
    child.path = dir.path;
    child.path.push_back(name);
    bool lower_shows = dir.lower.get() >= 0;
    if (entry.layer == Layer::upper) {
        auto up = open_dir_at(dir.upper.get(), name);
        if (!up) return std::unexpected(up.error());
        child.upper = std::move(*up);
        lower_shows = lower_shows && !exists_at(child.upper.get(), std::string(kOpaqueMark)) &&
                      !exists_at(dir.upper.get(), whiteout_name(name));
    }
    if (lower_shows) {
        auto below = open_dir_at(dir.lower.get(), name);
        if (below) {
            child.lower = std::move(*below);
        } else if (entry.layer == Layer::lower || (below.error() != -ENOENT && below.error() != -ENOTDIR)) {
            return std::unexpected(below.error());
        }
    }
    return child;
}

}  // namespace sysentry::fs_detail
