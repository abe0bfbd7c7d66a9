// Private: the checks getname() makes on a guest path string before any lookup.
#pragma once
#include <string_view>

namespace sysentry::fs_detail {

// 0, -ENOENT for "", -ENAMETOOLONG for PATH_MAX or more bytes (with the NUL).
int check_guest_path(std::string_view path);

}  // namespace sysentry::fs_detail
