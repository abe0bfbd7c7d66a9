// Private: splitting guest paths the way the kernel's parent lookup does, so
// the final component can be handed to an *at() syscall on the parent's fd.
#pragma once
#include <string>
#include <string_view>

namespace sysentry::fs_detail {

struct ParentAndLast {
    std::string parent;   // what to resolve with openat2 ("/" or "." at least)
    std::string last;     // one component ("", ".", ".." or a name), never with '/'
    bool trailing_slash;  // the path ended in '/' after `last`
    bool is_root() const { return last.empty(); }
    // `last` as the *at() call should see it: "name/" keeps the kernel's
    // must-be-a-directory checks. Only safe for calls that do not follow the
    // final component (unlinkat, mkdirat, renameat2, symlinkat, mknodat).
    std::string last_for_at() const { return trailing_slash ? last + "/" : last; }
};

ParentAndLast split_parent(std::string_view path);
// 0, -ENOENT for "", -ENAMETOOLONG for PATH_MAX or more bytes (with the NUL).
int check_guest_path(std::string_view path);

}  // namespace sysentry::fs_detail
