#include "path_walk.hpp"

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>
#include <linux/magic.h>

#include "guest_path.hpp"

namespace sysentry::fs_detail {

namespace {

constexpr int kMaxSymlinks = 40;  // MAXSYMLINKS: more links in one walk give ELOOP

struct Components {
    std::deque<std::string> names;
    bool absolute = false;
    bool trailing_slash = false;
};

Components split(std::string_view path) {
    Components c;
    c.absolute = !path.empty() && path.front() == '/';
    size_t at = 0;
    while (at < path.size()) {
        size_t end = path.find('/', at);
        if (end == std::string_view::npos) end = path.size();
        if (end > at) c.names.emplace_back(path.substr(at, end - at));
        at = end + 1;
    }
    c.trailing_slash = !c.names.empty() && path.back() == '/';
    return c;
}

// The directories above the current one, nearest last, so ".." costs no
// re-walk. Only the last kKeptAncestors are kept (two fds each); climbing past
// them re-walks from "/" once and refills the stack, which keeps a hostile
// path of a thousand ".." linear rather than quadratic.
constexpr size_t kKeptAncestors = 32;

class Ancestors {
public:
    void push(DirNode dir) {
        if (kept_.size() == kKeptAncestors) kept_.erase(kept_.begin());
        kept_.push_back(std::move(dir));
    }
    void clear() { kept_.clear(); }
    // The parent of `dir` (which is not "/").
    std::expected<DirNode, int> parent_of(const Layers& layers, const DirNode& dir) {
        if (!kept_.empty()) {
            DirNode up = std::move(kept_.back());
            kept_.pop_back();
            return up;
        }
        std::vector<std::string> path(dir.path.begin(), dir.path.end() - 1);
        auto node = layers.root();
        for (const std::string& name : path) {
            if (!node) return node;
            auto entry = layers.lookup(*node, name);
            if (!entry) return std::unexpected(entry.error());
            if (!*entry || !(*entry)->is_dir()) return std::unexpected(-ENOENT);  // changed under us
            auto child = layers.enter(*node, name, **entry);
            if (!child) return child;
            push(std::move(*node));
            node = std::move(child);
        }
        return node;
    }

private:
    std::vector<DirNode> kept_;
};

int layer_fd(const DirNode& dir, Layer layer) { return layer == Layer::upper ? dir.upper.get() : dir.lower.get(); }

// A procfs link like /proc/self/root or /proc/self/fd/N. Its text is not a path
// to walk, and the host refuses to resolve it under RESOLVE_NO_MAGICLINKS.
bool is_magic_link(int dirfd, const std::string& name) {
    struct statfs sfs{};
    if (::fstatfs(dirfd, &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC) return false;
    auto probe = open_in_root(dirfd, name, O_PATH);
    return !probe && probe.error() == -ELOOP;
}

std::expected<std::string, int> read_link(int dirfd, const std::string& name) {
    if (is_magic_link(dirfd, name)) return std::unexpected(-ELOOP);
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(dirfd, name.c_str(), target.data(), target.size());
    if (n < 0) return std::unexpected(neg_errno());
    target.resize(size_t(n));
    if (target.empty()) return std::unexpected(-ENOENT);
    return target;
}

// The directory `dir` itself as the object of a path ("/", "a/.", "a/..").
std::expected<Resolved, int> itself(DirNode dir, LastKind kind) {
    int fd = dir.upper.get() >= 0 ? dir.upper.get() : dir.lower.get();
    Layer layer = dir.upper.get() >= 0 ? Layer::upper : Layer::lower;
    struct stat st{};
    if (::fstat(fd, &st) != 0) return std::unexpected(neg_errno());
    return Resolved{std::move(dir), "", kind, Entry{layer, st}, true};
}

}  // namespace

int Resolved::at_fd() const {
    if (kind != LastKind::name) return dir.upper.get() >= 0 ? dir.upper.get() : dir.lower.get();
    return layer_fd(dir, entry ? entry->layer : Layer::upper);
}

std::expected<Resolved, int> walk(const Layers& layers, std::string_view guest_path, Final final) {
    if (int err = check_guest_path(guest_path)) return std::unexpected(err);
    Components todo = split(guest_path);
    bool must_be_dir = todo.trailing_slash;
    auto node = layers.root();
    if (!node) return std::unexpected(node.error());
    int links = 0;
    Ancestors ancestors;
    while (!todo.names.empty()) {
        std::string name = std::move(todo.names.front());
        todo.names.pop_front();
        bool last = todo.names.empty();
        if (name == "." || name == "..") {
            if (name == ".." && !node->path.empty()) {
                node = ancestors.parent_of(layers, *node);
                if (!node) return std::unexpected(node.error());
            }
            if (last) return itself(std::move(*node), name == "." ? LastKind::dot : LastKind::dotdot);
            continue;
        }
        auto entry = layers.lookup(*node, name);
        if (!entry) return std::unexpected(entry.error());
        if (!*entry) {
            if (!last) return std::unexpected(-ENOENT);
            return Resolved{std::move(*node), std::move(name), LastKind::name, std::nullopt, must_be_dir};
        }
        const Entry& e = **entry;
        bool follow = final == Final::follow || (final == Final::no_follow && must_be_dir);
        if (e.is_symlink() && (!last || follow)) {
            if (++links > kMaxSymlinks) return std::unexpected(-ELOOP);
            auto target = read_link(layer_fd(*node, e.layer), name);
            if (!target) return std::unexpected(target.error());
            Components more = split(*target);
            if (last) must_be_dir = must_be_dir || more.trailing_slash;
            todo.names.insert(todo.names.begin(), more.names.begin(), more.names.end());
            if (more.absolute) {
                node = layers.root();
                ancestors.clear();
            }
            if (!node) return std::unexpected(node.error());
            continue;
        }
        if (!last) {
            if (!e.is_dir()) return std::unexpected(-ENOTDIR);
            auto child = layers.enter(*node, name, e);
            if (!child) return std::unexpected(child.error());
            ancestors.push(std::move(*node));
            node = std::move(child);
            continue;
        }
        if (must_be_dir && !e.is_dir() && final != Final::as_parent) return std::unexpected(-ENOTDIR);
        return Resolved{std::move(*node), std::move(name), LastKind::name, e, must_be_dir};
    }
    // "/", or a final symlink whose body named no component ("/", "//").
    LastKind kind = node->path.empty() ? LastKind::root : LastKind::dot;
    return itself(std::move(*node), kind);
}

}  // namespace sysentry::fs_detail
