// Directory listings across the layers: the upper directory's names, then the
// lower one's that are neither hidden by an upper name nor whited out.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <set>

#include "layers.hpp"

namespace sysentry::fs_detail {

namespace {

constexpr size_t kDentsBuffer = 32 * 1024;

// linux_dirent64's fixed part; the name follows it.
struct Dirent64Head {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
};

bool is_dot(const std::string& name) { return name == "." || name == ".."; }

}  // namespace

std::expected<std::vector<DirectoryEntry>, int> read_dir(int dirfd) {
    UniqueFd fd(::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(neg_errno());
    std::vector<DirectoryEntry> out;
    std::vector<char> buf(kDentsBuffer);
    for (;;) {
        long n = ::syscall(SYS_getdents64, fd.get(), buf.data(), buf.size());
        if (n < 0) return std::unexpected(neg_errno());
        if (n == 0) return out;
        for (long at = 0; at < n;) {
            Dirent64Head head;
            std::memcpy(&head, buf.data() + at, sizeof head);
            const char* name = buf.data() + at + offsetof(Dirent64Head, type) + 1;
            out.push_back({head.ino, head.type, std::string(name)});
            at += head.reclen;
        }
    }
}

std::expected<std::vector<DirectoryEntry>, int> Layers::list(const DirNode& dir) const {
    std::vector<DirectoryEntry> upper, lower;
    if (dir.upper.get() >= 0) {
        auto r = read_dir(dir.upper.get());
        if (!r) return r;
        upper = std::move(*r);
    }
    if (dir.lower.get() >= 0) {
        auto r = read_dir(dir.lower.get());
        if (!r) return r;
        lower = std::move(*r);
    }
    std::vector<DirectoryEntry> out;
    std::set<std::string> taken;  // names shown, or whited out
    for (const auto* layer : {&upper, &lower}) {
        for (const DirectoryEntry& e : *layer) {
            if (is_dot(e.name) && !taken.insert(e.name).second) continue;
            if (is_dot(e.name)) {
                out.insert(out.begin() + (e.name == "." ? 0 : std::min<size_t>(out.size(), 1)), e);
                continue;
            }
            if (reserved(e.name)) {
                if (layer == &upper && e.name != kOpaqueMark) taken.insert(e.name.substr(kWhiteoutPrefix.size()));
                continue;
            }
            if (layer == &lower && taken.contains(e.name)) continue;
            taken.insert(e.name);
            out.push_back(e);
        }
    }
    return out;
}

}  // namespace sysentry::fs_detail
