#include "guest_path.hpp"

#include <cerrno>
#include <climits>

namespace sysentry::fs_detail {

ParentAndLast split_parent(std::string_view path) {
    size_t end = path.find_last_not_of('/');
    if (end == std::string_view::npos) return {"/", "", false};  // "/", "//", ...
    size_t start = path.rfind('/', end);
    start = (start == std::string_view::npos) ? 0 : start + 1;
    std::string last(path.substr(start, end + 1 - start));
    bool trailing = end + 1 < path.size();

    std::string_view parent = path.substr(0, start);
    size_t parent_end = parent.find_last_not_of('/');
    if (parent_end != std::string_view::npos) {
        parent = parent.substr(0, parent_end + 1);
    } else {
        parent = parent.empty() ? "." : "/";  // "name" vs "/name"
    }
    return {std::string(parent), std::move(last), trailing};
}

int check_guest_path(std::string_view path) {
    if (path.empty()) return -ENOENT;
    // The kernel copies at most PATH_MAX bytes including the NUL.
    if (path.size() >= PATH_MAX) return -ENAMETOOLONG;
    return 0;
}

}  // namespace sysentry::fs_detail
