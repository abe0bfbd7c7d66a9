// The instruction probe and `run --itrace`: every executed instruction, with
// its ring, address, symbol, disassembly and the registers it changed; the
// carrier's helper instructions never appear; no hook when nobody asks.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

// One itrace line, split into its columns.
struct TraceLine {
    uint64_t count = 0;
    unsigned ring = 0;
    uint64_t address = 0;
    std::string rest;  // symbol, disassembly, changes
    bool has(std::string_view s) const { return rest.find(s) != std::string::npos; }
};

std::vector<TraceLine> parse_itrace(const std::string& text) {
    std::vector<TraceLine> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("#")) continue;
        std::istringstream cols(line);
        TraceLine l;
        std::string address;
        cols >> l.count >> l.ring >> address;
        l.address = std::stoull(address, nullptr, 16);
        std::getline(cols, l.rest);
        lines.push_back(l);
    }
    return lines;
}

TEST(itrace, hello_shows_ring_address_symbol_disassembly_and_changed_registers) {
    ScratchRoot dir = temp_dir("sysentry-itrace");
    fs::path out = dir.path() / "itrace.txt";
    fs::path hello = example("hello");
    ProcessRun run = run_cli({"run", "--itrace", out.string(), hello.string()});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.out, "hello\n");
    std::string text = read_file(out);
    std::vector<TraceLine> lines = parse_itrace(text);
    ASSERT_GT(lines.size(), 20u) << text;

    // Numbered from 1 with no gaps: nothing is left out or shown twice.
    for (size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i].count, i + 1) << text;
    // The carrier (call gate, landing, IRET for SYSRET) is never shown.
    EXPECT_EQ(text.find("lcall"), std::string::npos);
    EXPECT_EQ(text.find("sysentry_carrier"), std::string::npos);

    std::string elf = read_file(hello);
    ElfFacts facts = elf_facts(std::vector<uint8_t>(elf.begin(), elf.end()));
    const uint64_t start = facts.symbol("_start");
    std::vector<TraceLine> user;
    for (const TraceLine& l : lines)
        if (l.ring == 3) user.push_back(l);
    // hello.s has 8 instructions, each run once, all in ring 3.
    ASSERT_EQ(user.size(), 8u) << text;
    EXPECT_EQ(user[0].address, start);
    EXPECT_TRUE(user[0].has("<_start>") && user[0].has("movl $1, %eax") && user[0].has("rax=0x1")) << user[0].rest;
    EXPECT_TRUE(user[2].has("<_start+0xa>") && user[2].has("leaq")) << user[2].rest;

    // The first syscall: its architectural effects, not the carrier's.
    const TraceLine& syscall = user[4];
    EXPECT_TRUE(syscall.has("syscall")) << syscall.rest;
    EXPECT_TRUE(syscall.has(fmt::format("rcx={:#x}", syscall.address + 2))) << syscall.rest;
    EXPECT_TRUE(syscall.has("cs=0x10") && syscall.has("ss=0x18")) << syscall.rest;
    EXPECT_TRUE(syscall.has("; SYSCALL ring 3 -> 0")) << syscall.rest;
    // The next instruction is entry_SYSCALL_64's swapgs, in ring 0.
    auto after = std::ranges::find_if(lines, [&](const TraceLine& l) { return l.count == syscall.count + 1; });
    ASSERT_NE(after, lines.end());
    EXPECT_EQ(after->ring, 0u);
    EXPECT_TRUE(after->has("<entry_SYSCALL_64>") && after->has("swapgs") && after->has("gs_base=")) << after->rest;
    // Back to ring 3 by sysretq, right before the user's next instruction.
    auto back = std::ranges::find_if(lines, [&](const TraceLine& l) { return l.count == user[5].count - 1; });
    ASSERT_NE(back, lines.end());
    EXPECT_EQ(back->ring, 0u);
    EXPECT_TRUE(back->has("sysretq") && back->has("; SYSRET ring 0 -> 3") && back->has("cs=0x33")) << back->rest;
    EXPECT_TRUE(user[5].has("movl $0x3c, %eax")) << user[5].rest;
    EXPECT_EQ(user[5].address, syscall.address + 2);
    EXPECT_TRUE(std::ranges::any_of(lines, [](const TraceLine& l) { return l.has("outb %al, $0xe0"); }));
}

// Counts the instruction events it hears, and the instruction count at each syscall.
class InstructionCounter final : public EventSink {
public:
    explicit InstructionCounter(const EventBus& bus) : bus_(bus) {}
    void on_event(const Event& e) override {
        if (auto* i = std::get_if<InstructionEvent>(&e)) {
            ++events;
            last = i->count;
            if (i->cpu->cpl() == 3) ++user;
        }
        if (std::get_if<SyscallEntryEvent>(&e)) at_syscalls.push_back(bus_.instruction_count());
    }
    const EventBus& bus_;
    uint64_t events = 0, user = 0, last = 0;
    std::vector<uint64_t> at_syscalls;
};

struct ProbeRun {
    std::unique_ptr<Session> session;
    RunResult result{RunResult::Kind::engine_error};
};

ProbeRun run_hello_with(EventSink* sink, unsigned interest) {
    ProbeRun r;
    auto session = Session::create({});
    if (!session) return r;
    r.session = std::move(*session);
    int out = make_memfd("hello-out");
    auto program = prepare_program(example("hello"), {"hello"}, {});
    if (!program) return r;
    program->stdio = {out, out, out};
    if (sink) r.session->events().subscribe(sink, interest);
    if (r.session->kernel().spawn(*program)) r.result = r.session->kernel().run({kGuestTimeoutUs});
    close(out);
    return r;
}

TEST(itrace, nobody_asking_means_no_count) {
    Recording rec;
    Recorder everything(rec, nullptr);  // kEverything: all events, but not the per-instruction ones
    ProbeRun r = run_hello_with(&everything, kEverything);
    ASSERT_TRUE(r.session);
    EXPECT_EQ(r.result.kind, RunResult::Kind::exited);
    EXPECT_FALSE(rec.syscalls.empty());
    EXPECT_EQ(r.session->events().instruction_count(), 0u);
}

TEST(itrace, count_matches_the_instruction_events) {
    {
        auto session = Session::create({});
        ASSERT_TRUE(session.has_value());
        InstructionCounter counter((*session)->events());
        int out = make_memfd("hello-out");
        auto program = prepare_program(example("hello"), {"hello"}, {});
        ASSERT_TRUE(program.has_value());
        program->stdio = {out, out, out};
        (*session)->events().subscribe(&counter, kInstructions | kSyscalls);
        ASSERT_TRUE((*session)->kernel().spawn(*program).has_value());
        RunResult result = (*session)->kernel().run({kGuestTimeoutUs});
        close(out);
        EXPECT_EQ(result.kind, RunResult::Kind::exited);
        EXPECT_EQ(counter.user, 8u);  // hello.s's instructions, once each
        // The one sysretq (write's return) is counted, and reported by its TransitionEvent instead.
        EXPECT_EQ(counter.last, counter.events + 1);
        EXPECT_EQ((*session)->events().instruction_count(), counter.events + 1);
        // Two calls by SYSCALL (write, exit), counted as they happen and in order.
        ASSERT_EQ(counter.at_syscalls.size(), 3u);  // with the spawn's execve, at 0
        EXPECT_EQ(counter.at_syscalls[0], 0u);
        EXPECT_LT(counter.at_syscalls[1], counter.at_syscalls[2]);
        (*session)->events().unsubscribe(&counter);
    }
}

}  // namespace
}  // namespace sysentry::test
