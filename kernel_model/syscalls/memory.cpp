// Memory services: brk, mmap and friends over the process's AddressSpace.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"

namespace sysentry {

using x86::kPageSize;

// --mem-limit, as RLIMIT_AS: would `extra` more bytes of areas go past it?
static bool over_limit(SyscallContext& c, uint64_t extra) {
    return c.mm().mapped_bytes() + extra > c.kernel.config().memory_limit;
}

static int64_t sys_brk(SyscallContext& c) {
    uint64_t now = c.mm().brk(0);
    if (c.arg(0) > now && over_limit(c, c.arg(0) - now)) return int64_t(now);  // brk fails by not moving
    return int64_t(c.mm().brk(c.arg(0)));
}

constexpr int kProtKnown = PROT_READ | PROT_WRITE | PROT_EXEC;
constexpr int kMapTypeMask = 0x0f;  // MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE

// A private file mapping is a copy of the file's bytes, read now.
static int64_t fill_from_file(SyscallContext& c, uint64_t addr, uint64_t len, int fd, uint64_t offset) {
    OpenFile* f = c.process.fds.get(fd);
    if (!f) return -EBADF;
    if ((f->status_flags & O_ACCMODE) == O_WRONLY) return -EACCES;
    std::vector<uint8_t> buf(kPageSize);
    for (uint64_t done = 0; done < len; done += kPageSize) {
        ssize_t n = pread(f->host_fd, buf.data(), buf.size(), off_t(offset + done));
        if (n <= 0) break;
        if (!c.mm().poke(addr + done, std::span(buf.data(), size_t(n)))) return -ENOMEM;
    }
    return 0;
}

static int64_t sys_mmap(SyscallContext& c) {
    uint64_t addr = c.arg(0), len = c.arg(1), offset = c.arg(5);
    int prot = c.iarg(2), flags = c.iarg(3), fd = c.iarg(4);
    int type = flags & kMapTypeMask;
    if (len == 0 || (offset & (kPageSize - 1))) return -EINVAL;
    if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) return -EINVAL;
    if (prot & ~kProtKnown) return -EINVAL;
    bool anonymous = flags & MAP_ANONYMOUS;
    if (!anonymous) {
        OpenFile* f = c.process.fds.get(fd);
        if (!f) return -EBADF;
        // A shared writable mapping writes the file: the fd must be open for writing.
        if (type != MAP_PRIVATE && (prot & PROT_WRITE) && (f->status_flags & O_ACCMODE) != O_RDWR) return -EACCES;
    }
    if (over_limit(c, len)) return -ENOMEM;
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if ((flags & MAP_FIXED_NOREPLACE) && c.mm().find(addr)) return -EEXIST;
    std::string name;
    if (!anonymous) name = c.process.fds.get(fd)->guest_path;
    int64_t at = c.mm().map(addr, len, prot, fixed, name);
    if (at < 0 || anonymous) return at;
    if (int64_t r = fill_from_file(c, uint64_t(at), len, fd, offset); r < 0) {
        c.mm().unmap(uint64_t(at), len);
        return r;
    }
    return at;
}

static void flush_after_unmap(SyscallContext& c) { c.cpu().flush_tlb(); }  // the space dropped its code itself

static int64_t sys_munmap(SyscallContext& c) {
    int r = c.mm().unmap(c.arg(0), c.arg(1));
    flush_after_unmap(c);
    return r;
}

static int64_t sys_mprotect(SyscallContext& c) {
    if (c.iarg(2) & ~kProtKnown) return -EINVAL;
    int r = c.mm().protect(c.arg(0), c.arg(1), c.iarg(2));
    flush_after_unmap(c);
    return r;
}

static int64_t sys_madvise(SyscallContext& c) {
    if (c.arg(0) & (kPageSize - 1)) return -EINVAL;
    if (c.iarg(2) == MADV_DONTNEED) return c.mm().discard(c.arg(0), c.arg(1));  // reads back as zeroes
    return 0;  // other advice is a hint Linux may ignore too
}

static int64_t sys_mremap(SyscallContext& c) {
    uint64_t flags = c.arg(3);
    if (flags & ~uint64_t(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;  // not modelled: see the row's note
    if (c.arg(2) > c.arg(1) && over_limit(c, c.arg(2) - c.arg(1))) return -ENOMEM;
    int64_t r = c.mm().remap(c.arg(0), c.arg(1), c.arg(2), flags & MREMAP_MAYMOVE);
    flush_after_unmap(c);
    return r;
}

static const ServiceRow kRows[] = {
    {"brk", sys_brk, Support::full, "", true},
    {"mmap", sys_mmap, Support::partial, "MAP_SHARED file mappings are private copies"},
    {"munmap", sys_munmap, Support::full, "", true},
    {"mremap", sys_mremap, Support::partial, "no MREMAP_FIXED or MREMAP_DONTUNMAP (EINVAL)"},
    {"mprotect", sys_mprotect, Support::full, "", true},
    {"madvise", sys_madvise, Support::partial, "only MADV_DONTNEED has an effect"},
};

std::span<const ServiceRow> memory_services() { return kRows; }

}  // namespace sysentry
