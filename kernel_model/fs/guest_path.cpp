#include "guest_path.hpp"

#include <cerrno>
#include <climits>

namespace sysentry::fs_detail {

int check_guest_path(std::string_view path) {
    if (path.empty()) return -ENOENT;
    // The kernel copies at most PATH_MAX bytes including the NUL.
    if (path.size() >= PATH_MAX) return -ENAMETOOLONG;
    return 0;
}

}  // namespace sysentry::fs_detail
