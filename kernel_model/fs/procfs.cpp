#include "sysentry/procfs.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fmt/format.h>

#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"
#include "sysentry/pt_regs.hpp"

namespace sysentry {

namespace {

// "/proc/self/status" -> (the process, "status"); nullopt when not /proc/<pid>/...
std::optional<std::pair<const Process*, std::string>> split(Kernel& k, const Process& self, std::string_view path) {
    std::string p = std::filesystem::path(path).lexically_normal().string();
    if (!p.starts_with("/proc/")) return std::nullopt;
    std::string_view rest = std::string_view(p).substr(6);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view who = rest.substr(0, slash);
    const Process* proc = nullptr;
    if (who == "self" || who == "thread-self") {
        proc = &self;
    } else {
        int pid = 0;
        if (std::from_chars(who.data(), who.data() + who.size(), pid).ptr != who.data() + who.size()) return std::nullopt;
        proc = k.find(pid);
        if (!proc) return std::make_pair(nullptr, std::string(rest.substr(slash + 1)));
    }
    return std::make_pair(proc, std::string(rest.substr(slash + 1)));
}

std::string status_text(const Process& p) {
    const char* state = p.state == TaskState::zombie ? "Z (zombie)" : p.state == TaskState::blocked ? "S (sleeping)" : "R (running)";
    return fmt::format("Name:\t{}\nUmask:\t{:04o}\nState:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\nUid:\t0\t0\t0\t0\n"
                       "Gid:\t0\t0\t0\t0\nSigPnd:\t{:016x}\nSigBlk:\t{:016x}\n",
                       p.comm, p.umask, state, p.tgid, p.pid, p.ppid, p.pending, p.blocked);
}

// /proc/<pid>/maps: one line per area, as show_map_vma prints it.
std::string maps_text(const Process& p) {
    std::string out;
    for (const auto& [start, v] : p.mm.areas()) {
        std::string perms = fmt::format("{}{}{}p", (v.prot & PROT_READ) ? 'r' : '-', (v.prot & PROT_WRITE) ? 'w' : '-',
                                        (v.prot & PROT_EXEC) ? 'x' : '-');
        std::string line = fmt::format("{:08x}-{:08x} {} 00000000 00:00 0", v.start, v.end, perms);
        if (!v.name.empty()) line = fmt::format("{:<73}{}", line + " ", v.name);
        out += line + "\n";
    }
    return out;
}

std::expected<int, int> memfd_with(const std::string& text) {
    int fd = memfd_create("sysentry-proc", MFD_CLOEXEC);
    if (fd < 0) return std::unexpected(-errno);
    if (::write(fd, text.data(), text.size()) != ssize_t(text.size()) || ::lseek(fd, 0, SEEK_SET) != 0) {
        ::close(fd);
        return std::unexpected(-EIO);
    }
    return fd;
}

}  // namespace

// proc_pid_syscall: collect_syscall() reads the task's pt_regs. Every task off
// the CPU is inside the kernel here (tasks switch only in system calls), and a
// task reading its own file is in that read, so "running" (a task on another
// CPU) never appears on this one-CPU machine. orig_ax -1 (no call) prints the
// short form; an exited task has no stack left to read.
std::string proc_syscall_line(Kernel& k, const Process& p) {
    PtRegs r{};
    bool dead = p.state == TaskState::zombie || !p.kernel_stack_top;
    if (dead || !k.machine().kernel_memory().read(p.kernel_stack_top - sizeof r, &r, sizeof r))
        return "-1 0x0 0x0\n";
    if (int64_t(r.orig_ax) < 0) return fmt::format("-1 {:#x} {:#x}\n", r.sp, r.ip);
    return fmt::format("{} {:#x} {:#x} {:#x} {:#x} {:#x} {:#x} {:#x} {:#x}\n", r.orig_ax, r.di, r.si, r.dx, r.r10, r.r8,
                       r.r9, r.sp, r.ip);
}

// seq_file generates at the first read, not at open: the reader of its own
// /proc/self/syscall sees that read. Called before a read at offset 0.
void refresh_proc_file(Kernel& k, const Process& reader, const OpenFile& f) {
    if (!f.guest_path.starts_with("/proc/") || !f.guest_path.ends_with("/syscall")) return;
    auto target = split(k, reader, f.guest_path);
    if (!target || !target->first || target->second != "syscall") return;
    if (::lseek(f.host_fd, 0, SEEK_CUR) != 0) return;
    std::string text = proc_syscall_line(k, *target->first);
    if (::ftruncate(f.host_fd, 0) == 0) (void)!::pwrite(f.host_fd, text.data(), text.size(), 0);
}

std::optional<std::expected<int, int>> open_proc(Kernel& k, const Process& self, std::string_view path) {
    auto target = split(k, self, path);
    if (!target) return std::nullopt;
    auto [proc, file] = *target;
    if (!proc) return std::unexpected(-ENOENT);
    if (file == "comm") return memfd_with(proc->comm + "\n");
    if (file == "status") return memfd_with(status_text(*proc));
    if (file == "maps") return memfd_with(maps_text(*proc));
    if (file == "syscall") return memfd_with(proc_syscall_line(k, *proc));
    return std::nullopt;  // exe and the rest: handled elsewhere, or the sandbox's ENOENT
}

std::optional<std::expected<std::string, int>> readlink_proc(Kernel& k, const Process& self, std::string_view path) {
    auto target = split(k, self, path);
    if (!target) return std::nullopt;
    auto [proc, file] = *target;
    if (!proc) return std::unexpected(-ENOENT);
    if (file == "exe") return proc->exe.empty() ? std::expected<std::string, int>(std::unexpected(-ENOENT)) : proc->exe;
    if (file.starts_with("fd/")) {
        int fd = -1;
        std::string_view n = std::string_view(file).substr(3);
        if (std::from_chars(n.data(), n.data() + n.size(), fd).ptr != n.data() + n.size()) return std::unexpected(-ENOENT);
        const OpenFile* f = proc->fds.get(fd);
        if (!f) return std::unexpected(-ENOENT);
        if (!f->guest_path.empty()) return f->guest_path;
        struct stat st{};  // an anonymous file: its kind and inode, as Linux names it
        if (::fstat(f->host_fd, &st) != 0) return std::unexpected(-ENOENT);
        const char* kind = S_ISFIFO(st.st_mode) ? "pipe" : S_ISSOCK(st.st_mode) ? "socket" : "anon_inode";
        return fmt::format("{}:[{}]", kind, st.st_ino);
    }
    return std::nullopt;
}

}  // namespace sysentry
