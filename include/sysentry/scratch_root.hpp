// A private, empty, temporary directory used as the guest's "/" when the user
// grants none. Destruction removes the whole tree without following symlinks:
// the guest may have planted links to host files, and removing the tree must
// delete those links, never their targets.
#pragma once
#include <expected>
#include <filesystem>
#include <string_view>

namespace sysentry {

class ScratchRoot {
public:
    // mkdtemp("<$TMPDIR or /tmp>/<prefix>-XXXXXX"), mode 0700; -errno on failure.
    static std::expected<ScratchRoot, int> create(std::string_view prefix = "sysentry-root");

    ScratchRoot(ScratchRoot&& other) noexcept;
    ScratchRoot& operator=(ScratchRoot&& other) noexcept;
    ScratchRoot(const ScratchRoot&) = delete;
    ScratchRoot& operator=(const ScratchRoot&) = delete;
    ~ScratchRoot();

    const std::filesystem::path& path() const { return path_; }
    // Removes the tree now; 0 or -errno. Afterwards path() is empty.
    int remove();

private:
    ScratchRoot(std::filesystem::path path, int dir_fd) : path_(std::move(path)), dir_fd_(dir_fd) {}
    std::filesystem::path path_;
    int dir_fd_ = -1;  // O_PATH on the directory we made, so a moved or renamed
                       // path never makes us empty some other directory
};

}  // namespace sysentry
