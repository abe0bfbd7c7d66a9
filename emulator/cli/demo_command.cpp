// `sysentry` with no arguments: the seed's write example, traced, then a
// count of the privilege transitions it took.
#include <fmt/format.h>

#include "sysentry/cli.hpp"
#include "sysentry/exit_status.hpp"
#include "sysentry/program_source.hpp"
#include "sysentry/session.hpp"
#include "sysentry/strace_printer.hpp"

extern "C" const uint8_t sysentry_demo_elf_start[];
extern "C" const uint8_t sysentry_demo_elf_end[];

namespace sysentry::cli {

namespace {

constexpr const char* kIntroduction =
    "sysentry demo: the seed note's test.c (guest/examples/seed_write.c), a static glibc program.\n"
    "It runs in ring 3 on an emulated x86-64 CPU. Each system call below is one trip through\n"
    "SYSCALL -> entry_SYSCALL_64 (ring 0) -> the C++ kernel model -> SYSRET, printed as strace would.\n"
    "The program's own output (stdout) is interleaved. Its file tmp1 lands in a private scratch root.\n\n";

// Counts the ring crossings, to close the demo with what actually happened.
class TransitionTally final : public EventSink {
public:
    void on_event(const Event& e) override {
        if (auto* t = std::get_if<TransitionEvent>(&e)) ++counts_[size_t(t->kind)];
    }
    unsigned count(TransitionKind k) const { return counts_[size_t(k)]; }

private:
    unsigned counts_[4] = {};  // by TransitionKind
};

}  // namespace

std::expected<Program, std::string> builtin_demo_program() {
    std::vector<uint8_t> bytes(sysentry_demo_elf_start, sysentry_demo_elf_end);
    auto parsed = parse_elf(bytes);
    if (!parsed) return std::unexpected(fmt::format("the built-in demo is damaged: {}", describe(parsed.error())));
    return Program{std::move(bytes), std::move(*parsed), "./test", {"./test"}, {"PATH=/bin:/usr/bin", "LANG=C"}};
}

int demo_command() {
    auto program = builtin_demo_program();
    if (!program) {
        fmt::print(stderr, "sysentry: {}\n", program.error());
        return kExitUsageStatus;
    }
    auto session = Session::create({});
    if (!session) {
        fmt::print(stderr, "sysentry: {}\n", session.error());
        return kExitUsageStatus;
    }
    StracePrinter tracer(stderr);
    TransitionTally tally;
    (*session)->events().subscribe(&tracer, kSyscalls | kFaults | kExits);
    (*session)->events().subscribe(&tally, kTransitions);
    fmt::print(stderr, "{}", kIntroduction);
    if (auto r = (*session)->kernel().spawn(*program); !r) {
        fmt::print(stderr, "sysentry: {}\n", r.error());
        return kExitUsageStatus;
    }
    RunResult result = (*session)->kernel().run();
    fmt::print(stderr,
               "\nRing crossings: {} SYSCALL entries into ring 0; {} returns by SYSRET, {} by IRET.\n"
               "Try: sysentry run --trace PROGRAM, sysentry info, sysentry table.\n",
               tally.count(TransitionKind::syscall), tally.count(TransitionKind::sysret),
               tally.count(TransitionKind::iret));
    return result.kind == RunResult::Kind::exited ? result.exit_code : kExitUsageStatus;
}

}  // namespace sysentry::cli
