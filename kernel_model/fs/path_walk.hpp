// Private: the kernel's path walk (link_path_walk + the last component) done
// over the layers, one name at a time. Symlink bodies are read and walked here,
// from the guest's "/" when absolute, so no link, "..", or procfs magic link
// can lead outside the guest's root.
#pragma once
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "layers.hpp"

namespace sysentry::fs_detail {

// What the last component of a path was.
enum class LastKind { name, dot, dotdot, root };

struct Resolved {
    DirNode dir;                 // holds `name`; for the other kinds, the object itself
    std::string name;            // the last component (LastKind::name only)
    LastKind kind = LastKind::name;
    std::optional<Entry> entry;  // the object; nullopt when `name` does not exist
    bool must_be_dir = false;    // a trailing slash asked for a directory

    bool exists() const { return entry.has_value(); }
    // The (dirfd, name) pair naming the object in its layer for *at() calls
    // that must not follow it; name is "." for the directory itself.
    int at_fd() const;
    std::string at_name() const { return kind == LastKind::name ? name : std::string("."); }
};

// What to do with a symlink in the last position.
enum class Final {
    follow,     // stat, open: follow it
    no_follow,  // lstat, O_NOFOLLOW: it is the object (a trailing slash still follows)
    as_parent,  // unlink, rmdir, mkdir, rename, link's new name: never follow,
                // whatever the slashes; the caller checks what they demand
};

// Intermediate names must exist; the last need not (then `entry` is empty).
std::expected<Resolved, int> walk(const Layers& layers, std::string_view guest_path, Final final);

}  // namespace sysentry::fs_detail
