#include "trial_recorder.hpp"

#include <array>

#include <fmt/format.h>

#include "sysentry/user_memory.hpp"

namespace sysentry::grading {

namespace {

constexpr uint64_t kUserHalfEnd = (uint64_t{1} << 47) - 1;  // the last canonical low-half address

constexpr std::array<Reg, 16> kGprRegs = {Reg::rax, Reg::rcx, Reg::rdx, Reg::rbx, Reg::rsp, Reg::rbp,
                                          Reg::rsi, Reg::rdi, Reg::r8,  Reg::r9,  Reg::r10, Reg::r11,
                                          Reg::r12, Reg::r13, Reg::r14, Reg::r15};

bool writes_output(std::string_view name) {
    return name == "write" || name == "writev" || name == "pwrite64" || name == "pwritev" || name == "sendfile";
}

// Calls whose non-negative result is a new descriptor.
bool returns_descriptor(std::string_view name) {
    static constexpr std::array<std::string_view, 22> kNames = {
        "open",          "openat",        "openat2",   "creat",      "dup",           "dup2",
        "dup3",          "socket",        "accept",    "accept4",    "eventfd",       "eventfd2",
        "epoll_create",  "epoll_create1", "memfd_create", "timerfd_create", "signalfd", "signalfd4",
        "inotify_init",  "inotify_init1", "pidfd_open",   "userfaultfd"};
    return std::ranges::find(kNames, name) != kNames.end();
}

}  // namespace

uint64_t ExecutedInstruction::reg(Gpr r) const { return cpu.reg(kGprRegs[unsigned(r)]); }

TrialRecorder::TrialRecorder(Session& session, const Limits& limits, Detectors detectors, TrialObservation& into)
    : session_(session), limits_(limits), detectors_(std::move(detectors)), o_(into) {
    o_.open_fds = {0, 1, 2};
    session_.events().subscribe(this, kSyscalls | kFaults | kExits | (o_.record_transitions ? kTransitions : 0u));
    if (o_.record_transitions) o_.kernel_image = &session_.machine().kernel_image();
}

Hook TrialRecorder::hook_user_code(Cpu& cpu, TrialRecorder** recorder) {
    auto forward = [](uc_engine*, uint64_t address, uint32_t size, void* user) {
        if (auto* r = *static_cast<TrialRecorder**>(user)) r->instruction(address, size);
    };
    return cpu.hook_code(forward, recorder, 0, kUserHalfEnd);
}

TrialRecorder::~TrialRecorder() { session_.events().unsubscribe(this); }

const TrialRecorder::Site* TrialRecorder::site(uint64_t address, uint32_t size) {
    if (auto it = sites_.find(address); it != sites_.end()) return &it->second;
    std::array<uint8_t, 16> code{};
    size = std::min<uint32_t>(size, code.size());
    if (!session_.machine().cpu().read_memory(address, code.data(), size)) return nullptr;
    auto facts = decoder_.decode(std::span(code.data(), size), address);
    if (!facts) return nullptr;
    return &sites_.emplace(address, Site{std::move(*facts), 0}).first->second;
}

void TrialRecorder::instruction(uint64_t address, uint32_t size) {
    if (stopping_) return;
    if (++o_.instructions > limits_.instructions)
        return stop(fmt::format("instruction limit ({}) reached", limits_.instructions));
    auto* s = const_cast<Site*>(site(address, size));
    if (!s) return;
    ++s->count;
    if (s->facts.is_syscall || s->facts.is_int80) at_last_call_ = session_.kernel().transitions().registers();
    ExecutedInstruction i{address, s->facts, session_.machine().cpu()};
    for (auto& [id, d] : detectors_) d->instruction(i);
}

void TrialRecorder::stop(std::string reason) {
    stopping_ = true;
    o_.stop_reason = std::move(reason);
    session_.kernel().request_pause();
}

void TrialRecorder::on_event(const Event& e) {
    if (o_.instructions == 0) {  // the spawn's execve, before the program's first instruction
        if (auto* done = std::get_if<SyscallExitEvent>(&e)) o_.init_pid = done->pid, o_.pids.insert(done->pid);
        return;
    }
    if (auto* call = std::get_if<SyscallEntryEvent>(&e)) {
        if (!o_.init_pid) o_.init_pid = call->pid;
        o_.pids.insert(call->pid);
        o_.calls.push_back({call->pid, call->abi, call->nr, std::string(call->name), call->args});
        bool exiting = call->name == "exit" || call->name == "exit_group";
        if (exiting && call->pid == o_.init_pid && at_last_call_) o_.exit_registers = at_last_call_;
    } else if (auto* done = std::get_if<SyscallExitEvent>(&e)) {
        o_.pids.insert(done->pid);
        for (auto it = o_.calls.rbegin(); it != o_.calls.rend(); ++it) {
            if (it->pid != done->pid || it->returned) continue;
            it->ret = done->ret;
            it->returned = done->returns;
            break;
        }
        if (done->pid == o_.init_pid) track_descriptors(*done);
        if (writes_output(done->name) && (done->args[0] == 1 || done->args[0] == 2) && done->ret > 0 &&
            (output_bytes_ += uint64_t(done->ret)) > limits_.output_bytes && !stopping_)
            stop(fmt::format("output limit ({} bytes) reached", limits_.output_bytes));
    } else if (auto* fault = std::get_if<FaultEvent>(&e)) {
        if (fault->pid == o_.init_pid && fault->signal && fault->cpl == 3) o_.fatal_fault = *fault;
    } else if (auto* exit = std::get_if<ProcessExitEvent>(&e)) {
        o_.pids.insert(exit->pid);
    } else if (auto* t = std::get_if<TransitionEvent>(&e); t && t->kind == TransitionKind::syscall) {
        o_.syscall_entries.push_back(t->after);
    }
    for (auto& [id, d] : detectors_) d->event(e);
}

void TrialRecorder::track_descriptors(const SyscallExitEvent& e) {
    if (e.ret < 0 || !e.returns) return;
    if (returns_descriptor(e.name) || (e.name == "fcntl" && (e.args[1] == 0 || e.args[1] == 1030)))  // F_DUPFD(_CLOEXEC)
        o_.open_fds.insert(int(e.ret));
    if (e.name == "close") o_.open_fds.erase(int(e.args[0]));
    if ((e.name == "pipe" || e.name == "pipe2" || e.name == "socketpair") && e.memory) {
        uint64_t at = e.name == "socketpair" ? e.args[3] : e.args[0];
        if (auto fds = e.memory->read_value<std::array<int32_t, 2>>(at)) o_.open_fds.insert(fds->begin(), fds->end());
    }
}

void TrialRecorder::finish() {
    for (auto& [address, s] : sites_) {
        if (!s.count) continue;
        o_.by_name[s.facts.name] += s.count;
        o_.by_mnemonic[s.facts.mnemonic] += s.count;
    }
    for (auto& [id, d] : detectors_) {
        d->finish(o_);
        if (d->evidence()) o_.findings[id] = *d->evidence();
    }
}

}  // namespace sysentry::grading
