// A process's file descriptors. Each guest fd names an open file description
// that owns one host fd (always O_CLOEXEC on the host side).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "sysentry/sandbox_fs.hpp"

namespace sysentry {

struct OpenFile {
    int host_fd = -1;        // owned
    int status_flags = 0;    // O_APPEND, O_NONBLOCK, access mode: what F_GETFL reports
    std::string guest_path;  // as opened; directories use it as the base for *at calls
    bool is_directory = false;
    // Guest pipes are non-blocking on the host whatever the guest asked, so one
    // process waiting on a pipe blocks in the scheduler, not the whole machine.
    bool host_nonblocking = false;
    // A directory of a copy-on-write root: getdents64 hands out this merged
    // listing (read at the first call and again after a rewind), not the host fd's.
    std::shared_ptr<const std::vector<DirectoryEntry>> merged_listing;
    size_t merged_next = 0;
    explicit OpenFile(int fd, int flags, std::string path = "", bool dir = false)
        : host_fd(fd), status_flags(flags), guest_path(std::move(path)), is_directory(dir) {}
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
};

class FdTable {
public:
    static constexpr int kMaxFds = 1024;  // RLIMIT_NOFILE's soft default

    // The lowest free fd >= min_fd, or -EMFILE.
    int install(std::shared_ptr<OpenFile> file, bool cloexec, int min_fd = 0);
    // dup2/dup3: replaces whatever `fd` held.
    int install_at(int fd, std::shared_ptr<OpenFile> file, bool cloexec);
    OpenFile* get(int fd) const;
    std::shared_ptr<OpenFile> share(int fd) const;
    int close(int fd);  // 0 or -EBADF
    bool cloexec(int fd) const;
    void set_cloexec(int fd, bool on);
    int count() const;

private:
    struct Slot {
        std::shared_ptr<OpenFile> file;
        bool cloexec = false;
    };
    std::vector<Slot> slots_;
};

}  // namespace sysentry
