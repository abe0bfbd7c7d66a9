#include <fmt/format.h>

#include "sysentry/exceptions.hpp"
#include "sysentry/kernel.hpp"
#include "sysentry/msr_view.hpp"
#include "sysentry/session.hpp"
#include "sysentry/timeline.hpp"

namespace sysentry {

std::string_view to_string(MarkKind kind) {
    switch (kind) {
    case MarkKind::syscall: return "SYSCALL";
    case MarkKind::sysret: return "SYSRET";
    case MarkKind::iret: return "IRET";
    case MarkKind::interrupt: return "INT";
    case MarkKind::fault: return "fault";
    case MarkKind::signal: return "signal";
    case MarkKind::exit: return "exit";
    }
    return "?";
}

namespace {

MarkKind mark_kind(TransitionKind k) {
    switch (k) {
    case TransitionKind::syscall: return MarkKind::syscall;
    case TransitionKind::sysret: return MarkKind::sysret;
    case TransitionKind::iret: return MarkKind::iret;
    case TransitionKind::interrupt: return MarkKind::interrupt;
    }
    return MarkKind::syscall;
}

std::vector<ValueChange> register_changes(const RegisterFile& b, const RegisterFile& a) {
    static constexpr const char* kNames[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8",
                                             "r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};
    const uint64_t* before = &b.rax;  // rax..r15, rip, rflags
    const uint64_t* after = &a.rax;
    std::vector<ValueChange> out;
    for (unsigned i = 0; i < 18; ++i)
        if (before[i] != after[i]) out.push_back({kNames[i], before[i], after[i]});
    if (b.cs != a.cs) out.push_back({"cs", b.cs, a.cs});
    if (b.ss != a.ss) out.push_back({"ss", b.ss, a.ss});
    return out;
}

// strace's name for a number its table lacks.
std::string call_name(const SyscallEntryEvent& e) {
    if (!e.name.empty()) return std::string(e.name);
    return fmt::format("syscall_{:#x}", e.abi == SyscallAbi::x32 ? uint64_t(e.nr) | kX32SyscallBit : uint64_t(e.nr));
}

}  // namespace

TimelineRecorder::TimelineRecorder(Session& session) : session_(session) {}

uint64_t TimelineRecorder::now() const { return session_.events().instruction_count(); }

int TimelineRecorder::current_pid() const {
    const Process* p = const_cast<Session&>(session_).kernel().current();
    return p ? p->pid : 0;
}

void TimelineRecorder::on_event(const Event& e) {
    if (auto* t = std::get_if<TransitionEvent>(&e)) return transition(*t);
    if (auto* s = std::get_if<SyscallEntryEvent>(&e)) return entry(*s);
    if (auto* s = std::get_if<SyscallExitEvent>(&e)) return exit(*s);
    if (auto* f = std::get_if<FaultEvent>(&e)) {
        ExceptionInfo info = exception_info(f->vector);
        std::string title = f->signal ? fmt::format("{} -> {}", info.mnemonic, signal_name(f->signal))
                                      : fmt::format("{} in ring 0 (oops)", info.mnemonic);
        std::string detail = fmt::format("{} at rip {:#x}", info.name, f->rip);
        if (f->vector == 14) detail += fmt::format(", cr2 {:#x}", f->cr2);
        return mark({MarkKind::fault, now(), f->pid, f->cpl, f->cpl, title, {}, {}, {}, detail});
    }
    if (auto* g = std::get_if<SignalEvent>(&e)) {
        std::string detail = fmt::format("from pid {}, si_code {}, status {}", g->from_pid, g->code, g->status);
        return mark({MarkKind::signal, now(), g->pid, ring_, ring_, std::string(signal_name(g->signal)), {}, {}, {},
                     detail});
    }
    if (auto* x = std::get_if<ProcessExitEvent>(&e)) {
        std::string title = x->signal ? strace_killed_notice(x->signal, false) : strace_exit_notice(x->exit_code);
        mark({MarkKind::exit, now(), x->pid, ring_, ring_, title, {}, {}, {}, ""});
    }
}

void TimelineRecorder::mark(TimelineMark m) { timeline_.marks.push_back(std::move(m)); }

// STAR, LSTAR and SYSCALL_MASK steer every SYSCALL; EFER enables it; the FS/GS
// bases are what arch_prctl and swapgs change. Each against the last transition.
std::vector<ValueChange> TimelineRecorder::msr_changes() {
    SyscallMsrs m = session_.kernel().transitions().msrs();
    const std::pair<const char*, uint64_t> now[] = {
        {"STAR", m.star},       {"LSTAR", m.lstar},     {"SYSCALL_MASK", m.syscall_mask}, {"EFER", m.efer},
        {"FS_BASE", m.fs_base}, {"GS_BASE", m.gs_base}, {"KERNEL_GS_BASE", m.kernel_gs_base},
    };
    std::vector<ValueChange> out;
    if (last_msrs_.empty()) last_msrs_.resize(std::size(now));
    for (size_t i = 0; i < std::size(now); ++i) {
        out.push_back({now[i].first, last_msrs_[i], now[i].second});
        last_msrs_[i] = now[i].second;
    }
    return out;
}

void TimelineRecorder::transition(const TransitionEvent& t) {
    // SYSRET and IRET are reported just before the instruction runs, the entries after it.
    bool returning = t.kind == TransitionKind::sysret || t.kind == TransitionKind::iret;
    uint64_t at = now() + (returning ? 1 : 0);
    int pid = current_pid();
    if (at > span_begin_) timeline_.spans.push_back({span_begin_, at, ring_, span_pid_});
    span_begin_ = std::max(span_begin_, at);
    ring_ = t.after.cpl;
    span_pid_ = pid;
    TimelineMark m{mark_kind(t.kind), at, pid, t.before.cpl, t.after.cpl, std::string(to_string(mark_kind(t.kind))),
                   {}, register_changes(t.before, t.after), msr_changes(), ""};
    if (t.kind == TransitionKind::interrupt) m.title = fmt::format("INT {:#x}", t.vector);
    PerProcess& p = processes_[pid];
    if (returning && p.open_call && timeline_.calls[*p.open_call].finished) {
        m.call = std::exchange(p.open_call, std::nullopt);
        m.title += " from " + timeline_.calls[*m.call].name;
    }
    if (!returning) p.entry_mark = timeline_.marks.size();
    mark(std::move(m));
}

void TimelineRecorder::entry(const SyscallEntryEvent& e) {
    PerProcess& p = processes_[e.pid];
    std::string name = call_name(e);
    p.formatter.on_entry(name, e.args, *e.memory, e.user_sp);
    p.open_call = timeline_.calls.size();
    timeline_.calls.push_back({e.pid, name, "", now(), now(), 0, false});
    if (p.entry_mark) {  // the SYSCALL (or int $0x80) that made this call
        TimelineMark& m = timeline_.marks[*std::exchange(p.entry_mark, std::nullopt)];
        m.call = p.open_call;
        m.title += " " + name;
    }
}

void TimelineRecorder::exit(const SyscallExitEvent& e) {
    PerProcess& p = processes_[e.pid];
    if (!p.open_call) return;
    TimelineCall& c = timeline_.calls[*p.open_call];
    c.text = e.returns ? p.formatter.on_exit(e.ret, *e.memory) : p.formatter.unfinished_no_return();
    c.exit_at = now();
    c.ret = e.ret;
    c.finished = true;
}

const Timeline& TimelineRecorder::finish() {
    timeline_.total = std::max(now(), span_begin_);
    if (timeline_.total > span_begin_) timeline_.spans.push_back({span_begin_, timeline_.total, ring_, span_pid_});
    span_begin_ = timeline_.total;
    return timeline_;
}

}  // namespace sysentry
