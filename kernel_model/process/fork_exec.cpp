// fork and execve: a new process that resumes where its parent was, and a
// process that starts again as another program.
#include <fcntl.h>
#include <linux/sched.h>
#include <sys/mman.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "sysentry/kernel.hpp"
#include "sysentry/machine.hpp"

namespace sysentry {

using namespace x86;

namespace {

// What copy_process() copies from the parent into any new task.
void inherit(Process& t, const Process& parent) {
    t.pgid = parent.pgid;
    t.sid = parent.sid;
    t.cwd = parent.cwd;
    t.exe = parent.exe;
    t.comm = parent.comm;
    t.image = parent.image;
    t.actions = parent.actions;
    t.blocked = parent.blocked;
    t.umask = parent.umask;
}

}  // namespace

// The new task starts on its own kernel stack at the IRET return path, with the
// parent's pt_regs but ax = 0 (ret_from_fork), on `stack` when one is given.
void Kernel::start_child(Process& t, const PtRegs& regs, uint64_t kstack, uint64_t stack) {
    t.kernel_stack_top = kstack;
    PtRegs child_regs = regs;
    child_regs.ax = 0;
    if (stack) child_regs.sp = stack;
    machine_.kernel_memory().write(kstack - sizeof(PtRegs), &child_regs, sizeof child_regs);
    t.context.emplace(machine_.cpu());
    t.context->set(Reg::rsp, kstack - sizeof(PtRegs));
    t.context->set(Reg::rip, machine_.kernel_symbol("swapgs_restore_regs_and_return_to_usermode"));
}

void Kernel::publish_tids(Process& parent, Process& child, uint64_t flags, uint64_t parent_tid, uint64_t child_tid) {
    if (flags & CLONE_PARENT_SETTID) parent.mm.write_value<int32_t>(parent_tid, child.pid);
    if (flags & CLONE_CHILD_SETTID) child.mm.write_value<int32_t>(child_tid, child.pid);
    if (flags & CLONE_CHILD_CLEARTID) child.clear_child_tid = child_tid;
}

// fork: a copy of the address space; the open file descriptions are shared.
int64_t Kernel::fork(Process& parent, const PtRegs& regs, uint64_t flags, uint64_t parent_tid,
                     uint64_t child_tid, uint64_t stack) {
    if (int(processes_.size()) >= config_.max_processes) return -EAGAIN;  // --max-procs, as RLIMIT_NPROC
    auto mm = parent.mm.fork(machine_.cpu(), machine_.kernel_tables());
    auto kstack = machine_.allocate_kernel_stack();
    if (!mm || !kstack) return -ENOMEM;
    auto child = std::make_unique<Process>(next_pid_++, std::make_shared<AddressSpace>(std::move(*mm)),
                                           std::make_shared<FdTable>(parent.fds));
    inherit(*child, parent);
    child->ppid = parent.tgid;
    child->altstack = parent.altstack;
    start_child(*child, regs, *kstack, stack);
    publish_tids(parent, *child, flags, parent_tid, child_tid);
    int pid = child->pid;
    processes_[pid] = std::move(child);
    return pid;
}

// A thread: a task in the caller's thread group, sharing its memory and files,
// starting on its own stack with its own TLS.
int64_t Kernel::spawn_thread(Process& parent, const PtRegs& regs, const ThreadArgs& a) {
    if (int(processes_.size()) >= config_.max_processes) return -EAGAIN;
    auto kstack = machine_.allocate_kernel_stack();
    if (!kstack) return -ENOMEM;
    auto t = std::make_unique<Process>(next_pid_++, parent.space, parent.files);
    inherit(*t, parent);
    t->tgid = parent.tgid;
    t->ppid = parent.ppid;
    start_child(*t, regs, *kstack, a.stack);
    t->context->set(Reg::fs_base, (a.flags & CLONE_SETTLS) ? a.tls : machine_.cpu().reg(Reg::fs_base));
    publish_tids(parent, *t, a.flags, a.parent_tid, a.child_tid);
    int tid = t->pid;
    processes_[tid] = std::move(t);
    return tid;
}

// The point of no return is the new address space: before it, errors return to
// the caller; after it, there is no caller to return to.
int64_t Kernel::exec(Process& p, PtRegs& regs, Program program) {
    auto mm = AddressSpace::create(machine_.cpu(), machine_.ram(), machine_.kernel_tables());
    if (!mm) return -ENOMEM;
    p.mm.detach();
    p.mm = std::move(*mm);
    p.mm.attach();
    machine_.cpu().set_reg(Reg::cr3, p.mm.cr3());
    request_switch();  // still a scheduling point, as when it flushed the engine; detach() dropped the old code
    auto entry = load_program(*this, p, program);
    if (!entry) {
        kill_process(p, SIGSEGV);
        return -ENOEXEC;
    }
    p.image = std::make_shared<const std::vector<uint8_t>>(std::move(program.bytes));
    for (int fd = 0; fd < FdTable::kMaxFds; ++fd)
        if (p.fds.cloexec(fd)) p.fds.close(fd);
    for (SigAction& a : p.actions)  // handlers do not survive; ignored signals stay ignored
        if (a.handler != uint64_t(SIG_IGN)) a = SigAction{};
    p.altstack = AltStack{};
    p.clear_child_tid = p.robust_list = p.rseq = 0;
    machine_.cpu().set_reg(Reg::fs_base, 0);

    regs = PtRegs{};  // start_thread(): every register zero but these
    regs.ip = entry->rip;
    regs.cs = kUserCs;
    regs.flags = kFlagIf;
    regs.sp = entry->rsp;
    regs.ss = kUserDs;
    return 0;
}

}  // namespace sysentry
