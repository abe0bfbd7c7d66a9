// Private: the two host directories behind the guest's "/" and how one name is
// looked up across them.
//
//   upper  where every change lands: the user's --root with --rw, else a
//          private scratch directory.
//   lower  the user's --root when it must stay untouched (absent otherwise);
//          only ever read.
//
// A name in the upper layer hides the same name below. A deletion of a lower
// name leaves a whiteout, an empty file ".wh.<name>" in the upper directory; a
// directory made where a lower one was deleted holds ".wh..wh..opq" (opaque:
// nothing of the lower directory shows through). These are aufs's conventions;
// the guest never sees or makes such names while a lower layer exists.
//
// Every host call below takes a directory fd and ONE plain name that it does
// not follow, so no host path is ever built from a guest path.
#pragma once
#include <sys/stat.h>

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host_fd.hpp"
#include "sysentry/sandbox_fs.hpp"

namespace sysentry::fs_detail {

enum class Layer { upper, lower };

// One existing name in a merged directory: where it lives, and its lstat.
struct Entry {
    Layer layer;
    struct stat st;
    bool is_dir() const { return S_ISDIR(st.st_mode); }
    bool is_symlink() const { return S_ISLNK(st.st_mode); }
};

// A directory of the guest's tree as the layers hold it. `path` is canonical:
// the names from "/" with no ".", ".." or symlink among them.
struct DirNode {
    UniqueFd upper;  // O_PATH on it in the upper layer; -1 while only the lower has it
    UniqueFd lower;  // O_PATH on it in the lower layer; -1 when absent or hidden
    std::vector<std::string> path;
};

class Layers {
public:
    Layers(UniqueFd upper_root, UniqueFd lower_root)
        : upper_root_(std::move(upper_root)), lower_root_(std::move(lower_root)) {}

    bool has_lower() const { return lower_root_.get() >= 0; }
    int upper_root() const { return upper_root_.get(); }
    int lower_root() const { return lower_root_.get(); }

    std::expected<DirNode, int> root() const;
    // The entry `name` (never "", ".", ".." or containing '/') names in `dir`;
    // nullopt when there is none (or it is whited out, or a reserved name).
    std::expected<std::optional<Entry>, int> lookup(const DirNode& dir, const std::string& name) const;
    // The directory `entry` (a directory, from lookup(dir, name)) names.
    std::expected<DirNode, int> enter(const DirNode& dir, const std::string& name, const Entry& entry) const;
    // The merged listing of `dir` ("." and ".." first), without reserved names (merged_dir.cpp).
    std::expected<std::vector<DirectoryEntry>, int> list(const DirNode& dir) const;

    // Names the guest may never see or use while a lower layer exists.
    bool reserved(std::string_view name) const;

    // ---- changing the upper layer (copy_up.cpp) ----
    // Makes `dir` exist in the upper layer, copying up its ancestors' and its
    // own mode and times from the lower layer; sets dir.upper.
    int ensure_upper(DirNode& dir) const;
    // Gives the lower-only object `name` in `dir` an upper copy (data, mode,
    // owner, times); symlinks and fifos are recreated, devices refused (-EROFS).
    int copy_up(DirNode& dir, const std::string& name, const Entry& entry) const;
    // After `name` was removed from (or moved out of) the upper directory:
    // hides the lower `name`, if there is one.
    int hide_lower(DirNode& dir, const std::string& name) const;
    // After a directory `name` appeared in the upper layer: makes it opaque
    // if a lower directory of that name would otherwise show through.
    int shadow_lower_dir(const DirNode& dir, const std::string& name) const;
    // Removes an upper directory whose merged view is empty (it may still hold
    // whiteouts and the opaque mark).
    int remove_upper_dir(const DirNode& dir, const std::string& name) const;

private:
    UniqueFd upper_root_, lower_root_;
};

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMark = ".wh..wh..opq";

// fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW): nullopt for ENOENT, -errno for the rest.
std::expected<std::optional<struct stat>, int> lstat_at(int dirfd, const std::string& name);
// openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW).
std::expected<UniqueFd, int> open_dir_at(int dirfd, const std::string& name);
UniqueFd dup_fd(int fd);
// The upper root takes the lower root's mode and times: "/" looks the same
// from the first instruction (copy_up.cpp).
int copy_root_attributes(int lower_root, int upper_root);
// Every record of the directory an (O_PATH) fd names, "." and ".." included, in host order.
std::expected<std::vector<DirectoryEntry>, int> read_dir(int dirfd);

}  // namespace sysentry::fs_detail
