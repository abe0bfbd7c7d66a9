#include "sysentry/fd_table.hpp"

#include <unistd.h>

#include <cerrno>

namespace sysentry {

OpenFile::~OpenFile() {
    if (host_fd >= 0) ::close(host_fd);
}

int FdTable::install(std::shared_ptr<OpenFile> file, bool cloexec, int min_fd) {
    for (int fd = min_fd; fd < kMaxFds; ++fd) {
        if (fd >= int(slots_.size()) || !slots_[fd].file) return install_at(fd, std::move(file), cloexec);
    }
    return -EMFILE;
}

int FdTable::install_at(int fd, std::shared_ptr<OpenFile> file, bool cloexec) {
    if (fd < 0 || fd >= kMaxFds) return -EBADF;
    if (fd >= int(slots_.size())) slots_.resize(fd + 1);
    slots_[fd] = {std::move(file), cloexec};
    return fd;
}

OpenFile* FdTable::get(int fd) const {
    if (fd < 0 || fd >= int(slots_.size())) return nullptr;
    return slots_[fd].file.get();
}

std::shared_ptr<OpenFile> FdTable::share(int fd) const {
    if (fd < 0 || fd >= int(slots_.size())) return nullptr;
    return slots_[fd].file;
}

int FdTable::close(int fd) {
    if (!get(fd)) return -EBADF;
    slots_[fd] = {};
    return 0;
}

bool FdTable::cloexec(int fd) const { return get(fd) && slots_[fd].cloexec; }

void FdTable::set_cloexec(int fd, bool on) {
    if (get(fd)) slots_[fd].cloexec = on;
}

int FdTable::count() const {
    int n = 0;
    for (auto& s : slots_) n += s.file != nullptr;
    return n;
}

}  // namespace sysentry
