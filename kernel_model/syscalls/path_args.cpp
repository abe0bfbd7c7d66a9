#include "path_args.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace sysentry::syscall_args {

namespace {

// Bytes from `va` to the end of its page: no copy below crosses a page, so a
// failed copy means the page it touched is inaccessible.
size_t to_page_end(uint64_t va) { return kPageSize - (va & (kPageSize - 1)); }

}  // namespace

std::expected<std::string, int> copy_path(const UserMemory& mm, uint64_t va, bool allow_empty) {
    std::string out;
    std::array<char, kPageSize> page{};
    while (out.size() < kPathMax) {
        uint64_t at = va + out.size();
        size_t n = std::min(to_page_end(at), kPathMax - out.size());
        if (!mm.read(at, page.data(), n)) return std::unexpected(-EFAULT);
        const char* nul = static_cast<const char*>(std::memchr(page.data(), '\0', n));
        if (nul) {
            out.append(page.data(), size_t(nul - page.data()));
            if (out.empty() && !allow_empty) return std::unexpected(-ENOENT);
            return out;
        }
        out.append(page.data(), n);
    }
    return std::unexpected(-ENAMETOOLONG);
}

bool access_ok(uint64_t va, uint64_t len) {
    if (len == 0) return true;
    uint64_t end = va + len;
    return end >= va && end <= kTaskSizeMax;
}

size_t copy_from_user_prefix(const UserMemory& mm, uint64_t va, void* dst, size_t len) {
    auto* out = static_cast<uint8_t*>(dst);
    size_t done = 0;
    while (done < len) {
        size_t n = std::min(to_page_end(va + done), len - done);
        if (!mm.read(va + done, out + done, n)) break;
        done += n;
    }
    return done;
}

size_t copy_to_user_prefix(UserMemory& mm, uint64_t va, const void* src, size_t len) {
    const auto* in = static_cast<const uint8_t*>(src);
    size_t done = 0;
    while (done < len) {
        size_t n = std::min(to_page_end(va + done), len - done);
        if (!mm.write(va + done, in + done, n)) break;
        done += n;
    }
    return done;
}

size_t writable_prefix(UserMemory& mm, uint64_t va, size_t len) {
    std::array<uint8_t, kPageSize> page{};
    size_t done = 0;
    while (done < len) {
        size_t n = std::min(to_page_end(va + done), len - done);
        if (!mm.read(va + done, page.data(), n) || !mm.write(va + done, page.data(), n)) break;
        done += n;
    }
    return done;
}

std::expected<std::string, int> resolve_at(const SandboxFs& fs, const FdTable& fds, std::string_view cwd,
                                           int dirfd, std::string_view path) {
    if (path.empty()) return std::string();
    if (path.front() == '/') return std::string(path);
    if (dirfd == kAtFdcwd) return SandboxFs::join(cwd, path);
    const OpenFile* dir = fds.get(dirfd);
    if (!dir) return std::unexpected(-EBADF);
    return fs.join_at(dir->host_fd, path);
}

}  // namespace sysentry::syscall_args
