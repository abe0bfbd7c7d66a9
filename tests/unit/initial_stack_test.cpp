#include "sysentry/initial_stack.hpp"

#include <elf.h>
#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sysentry {
namespace {

constexpr uint64_t kTop = 0x7ffffffff000;
constexpr size_t kLimit = 2 * 1024 * 1024;  // a quarter of an 8 MiB rlimit
constexpr std::array<uint8_t, 16> kRandom = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                             0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

AuxvInput sample_aux() {
    AuxvInput aux;
    aux.phdr = 0x400040;
    aux.phent = 56;
    aux.phnum = 10;
    aux.entry = 0x4014f0;
    aux.hwcap = 0x178bfbff;
    aux.hwcap2 = 2;
    aux.uid = 1000;
    aux.euid = 1001;
    aux.gid = 100;
    aux.egid = 101;
    aux.minsigstksz = 2048;
    return aux;
}

// Reads the built image back the way a libc's _start would.
struct Reader {
    const InitialStack& stack;
    uint64_t top() const { return stack.bottom + stack.bytes.size(); }
    uint64_t word(uint64_t addr) const {
        EXPECT_GE(addr, stack.bottom);
        EXPECT_LE(addr + 8, top());
        uint64_t v = 0;
        std::memcpy(&v, &stack.bytes[addr - stack.bottom], 8);
        return v;
    }
    std::string string(uint64_t addr) const {
        EXPECT_GE(addr, stack.bottom);
        EXPECT_LT(addr, top());
        const char* s = reinterpret_cast<const char*>(&stack.bytes[addr - stack.bottom]);
        return std::string(s, strnlen(s, top() - addr));
    }
    std::vector<std::pair<uint64_t, uint64_t>> auxv() const {
        return parse_auxv(stack.bytes, stack.auxv_addr - stack.bottom);
    }
    uint64_t aux(uint64_t type) const {
        for (auto [t, v] : auxv())
            if (t == type) return v;
        ADD_FAILURE() << "missing " << auxv_name(type);
        return 0;
    }
};

InitialStack build(const std::vector<std::string>& argv, const std::vector<std::string>& envp,
                   const std::string& execfn = "/bin/prog", uint64_t top = kTop) {
    auto stack = build_initial_stack(top, argv, envp, execfn, sample_aux(), kRandom, kLimit);
    EXPECT_TRUE(stack.has_value());
    return stack.value_or(InitialStack{});
}

TEST(initial_stack, pins_the_linux_layout_for_one_argument) {
    // Worked by hand from create_elf_tables(): top-8, "/prog\0" (6), "prog\0" (5),
    // align 16, "x86_64\0" (7), random (16), 20 auxv pairs (320), 4 words, align 16.
    const std::vector<std::string> argv = {"prog"};
    auto s = build_initial_stack(kTop, argv, {}, "/prog", sample_aux(), kRandom, kLimit);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->execfn_addr, 0x7fffffffeff2u);
    EXPECT_EQ(s->random_addr, 0x7fffffffefc9u);
    EXPECT_EQ(s->rsp, 0x7fffffffee60u);
    EXPECT_EQ(s->bottom, s->rsp);
    EXPECT_EQ(s->argv_addr, 0x7fffffffee68u);
    EXPECT_EQ(s->envp_addr, 0x7fffffffee78u);
    EXPECT_EQ(s->auxv_addr, 0x7fffffffee80u);
    EXPECT_EQ(s->bytes.size(), kTop - s->rsp);
    Reader r{*s};
    EXPECT_EQ(r.word(s->argv_addr), 0x7fffffffefedu);
    EXPECT_EQ(r.aux(AT_PLATFORM), 0x7fffffffefd9u);
}

TEST(initial_stack, rsp_is_aligned_and_points_at_argc_for_many_shapes) {
    for (size_t argc = 0; argc < 5; ++argc) {
        for (size_t envc = 0; envc < 4; ++envc) {
            for (uint64_t top : {kTop, kTop - 3, kTop - 9}) {
                std::vector<std::string> argv, envp;
                for (size_t i = 0; i < argc; ++i) argv.push_back(std::string(i * 3 + 1, 'a' + i));
                for (size_t i = 0; i < envc; ++i) envp.push_back("V" + std::to_string(i) + "=" + std::string(i, 'x'));
                auto s = build(argv, envp, "/p", top);
                Reader r{s};
                EXPECT_EQ(s.rsp % 16, 0u) << argc << " " << envc;
                EXPECT_EQ(s.bottom + s.bytes.size(), top);
                EXPECT_EQ(r.word(s.rsp), std::max<size_t>(argc, 1));
            }
        }
    }
}

TEST(initial_stack, argv_and_envp_pointers_lead_to_the_strings) {
    const std::vector<std::string> argv = {"/bin/echo", "hello", "", "world"};
    const std::vector<std::string> envp = {"PATH=/bin", "HOME=/root"};
    auto s = build(argv, envp);
    Reader r{s};
    ASSERT_EQ(r.word(s.rsp), argv.size());
    EXPECT_EQ(s.argv_addr, s.rsp + 8);
    for (size_t i = 0; i < argv.size(); ++i) EXPECT_EQ(r.string(r.word(s.argv_addr + 8 * i)), argv[i]);
    EXPECT_EQ(r.word(s.argv_addr + 8 * argv.size()), 0u);
    EXPECT_EQ(s.envp_addr, s.argv_addr + 8 * (argv.size() + 1));
    for (size_t i = 0; i < envp.size(); ++i) EXPECT_EQ(r.string(r.word(s.envp_addr + 8 * i)), envp[i]);
    EXPECT_EQ(r.word(s.envp_addr + 8 * envp.size()), 0u);
    EXPECT_EQ(s.auxv_addr, s.envp_addr + 8 * (envp.size() + 1));
}

TEST(initial_stack, strings_are_contiguous_argv_then_envp_then_execfn_then_zero_word) {
    const std::vector<std::string> argv = {"a", "bc"};
    const std::vector<std::string> envp = {"X=1"};
    auto s = build(argv, envp, "/bin/exe");
    Reader r{s};
    const uint64_t a0 = r.word(s.argv_addr);
    EXPECT_EQ(r.word(s.argv_addr + 8), a0 + 2);
    EXPECT_EQ(r.word(s.envp_addr), a0 + 5);
    EXPECT_EQ(s.execfn_addr, a0 + 9);
    EXPECT_EQ(s.execfn_addr + std::strlen("/bin/exe") + 1, kTop - 8);
    EXPECT_EQ(r.word(kTop - 8), 0u);
}

TEST(initial_stack, auxv_has_linux_order_and_values) {
    auto s = build({"prog"}, {"A=B"});
    Reader r{s};
    const auto aux = sample_aux();
    const std::vector<std::pair<uint64_t, uint64_t>> expected = {
        {AT_MINSIGSTKSZ, 2048}, {AT_HWCAP, aux.hwcap},    {AT_PAGESZ, 4096},
        {AT_CLKTCK, 100},       {AT_PHDR, 0x400040},      {AT_PHENT, 56},
        {AT_PHNUM, 10},         {AT_BASE, 0},             {AT_FLAGS, 0},
        {AT_ENTRY, 0x4014f0},   {AT_UID, 1000},           {AT_EUID, 1001},
        {AT_GID, 100},          {AT_EGID, 101},           {AT_SECURE, 0},
        {AT_RANDOM, s.random_addr}, {AT_HWCAP2, 2},       {AT_EXECFN, s.execfn_addr},
        {AT_PLATFORM, s.random_addr + 16},
    };
    EXPECT_EQ(r.auxv(), expected);
    // The terminating AT_NULL pair is really on the stack, not just implied.
    const uint64_t null_pair = s.auxv_addr + 16 * expected.size();
    EXPECT_EQ(r.word(null_pair), static_cast<uint64_t>(AT_NULL));
    EXPECT_EQ(r.word(null_pair + 8), 0u);
    EXPECT_LE(null_pair + 16, s.random_addr);
}

TEST(initial_stack, at_random_points_at_the_sixteen_bytes_below_the_platform_string) {
    auto s = build({"prog"}, {});
    Reader r{s};
    ASSERT_EQ(r.aux(AT_RANDOM), s.random_addr);
    EXPECT_EQ(0, std::memcmp(&s.bytes[s.random_addr - s.bottom], kRandom.data(), kRandom.size()));
    const uint64_t platform = r.aux(AT_PLATFORM);
    EXPECT_EQ(r.string(platform), "x86_64");
    EXPECT_EQ(platform, s.random_addr + 16);
    EXPECT_EQ((platform + 7) % 16, 0u);  // directly below the 16-aligned string area
    EXPECT_EQ(r.string(r.aux(AT_EXECFN)), "/bin/prog");
}

TEST(initial_stack, empty_argv_becomes_one_empty_string_like_linux) {
    auto s = build({}, {});
    Reader r{s};
    EXPECT_EQ(r.word(s.rsp), 1u);
    EXPECT_EQ(r.string(r.word(s.argv_addr)), "");
    EXPECT_EQ(r.word(s.argv_addr + 8), 0u);
}

TEST(initial_stack, huge_argv_is_e2big) {
    const std::vector<std::string> argv(300, std::string(8000, 'x'));  // 2.4 MB of strings
    auto s = build_initial_stack(kTop, argv, {}, "/p", sample_aux(), kRandom, kLimit);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), E2BIG);
}

TEST(initial_stack, single_string_longer_than_max_arg_strlen_is_e2big) {
    const std::vector<std::string> envp = {std::string(kMaxArgStrlen, 'e')};  // + NUL = one too many
    auto s = build_initial_stack(kTop, std::vector<std::string>{"p"}, envp, "/p", sample_aux(), kRandom, kLimit);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), E2BIG);
    const std::vector<std::string> fits = {std::string(kMaxArgStrlen - 1, 'e')};
    EXPECT_TRUE(build_initial_stack(kTop, std::vector<std::string>{"p"}, fits, "/p", sample_aux(), kRandom, kLimit));
}

TEST(initial_stack, limit_counts_strings_execfn_and_pointers_exactly) {
    const std::vector<std::string> argv = {"abc", "de"};  // 4 + 3 bytes, 2 pointers
    const std::vector<std::string> envp = {"K=V"};        // 4 bytes, 1 pointer
    const size_t needed = 4 + 3 + 4 + std::strlen("/x") + 1 + 3 * 8;
    EXPECT_TRUE(build_initial_stack(kTop, argv, envp, "/x", sample_aux(), kRandom, needed));
    auto s = build_initial_stack(kTop, argv, envp, "/x", sample_aux(), kRandom, needed - 1);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), E2BIG);
}

TEST(initial_stack, many_empty_strings_exhaust_the_pointer_budget) {
    const std::vector<std::string> envp(1000, "");
    auto s = build_initial_stack(kTop, std::vector<std::string>{"p"}, envp, "/p", sample_aux(), kRandom, 1000 * 8);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), E2BIG);
}

TEST(initial_stack, stack_top_too_low_is_e2big_not_wraparound) {
    auto s = build_initial_stack(256, std::vector<std::string>{"p"}, {}, "/p", sample_aux(), kRandom, kLimit);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), E2BIG);
}

TEST(initial_stack, embedded_nul_is_einval) {
    const std::vector<std::string> argv = {std::string("a\0b", 3)};
    auto s = build_initial_stack(kTop, argv, {}, "/p", sample_aux(), kRandom, kLimit);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), EINVAL);
}

TEST(parse_auxv, stops_at_at_null_and_at_end_of_bytes) {
    std::vector<uint64_t> words = {AT_PAGESZ, 4096, AT_ENTRY, 0x401000, AT_NULL, 0, AT_UID, 7};
    std::vector<uint8_t> bytes(words.size() * 8);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    using Pairs = std::vector<std::pair<uint64_t, uint64_t>>;
    EXPECT_EQ(parse_auxv(bytes), (Pairs{{AT_PAGESZ, 4096}, {AT_ENTRY, 0x401000}}));
    EXPECT_EQ(parse_auxv(bytes, 48), (Pairs{{AT_UID, 7}}));  // runs off the end: no AT_NULL needed
    EXPECT_EQ(parse_auxv(std::span(bytes).first(20)), (Pairs{{AT_PAGESZ, 4096}}));  // half a pair is ignored
    EXPECT_TRUE(parse_auxv(bytes, 1000).empty());
}

TEST(auxv_name, names_known_types_and_flags_unknown_ones) {
    EXPECT_EQ(auxv_name(AT_PHDR), "AT_PHDR");
    EXPECT_EQ(auxv_name(AT_RANDOM), "AT_RANDOM");
    EXPECT_EQ(auxv_name(AT_MINSIGSTKSZ), "AT_MINSIGSTKSZ");
    EXPECT_EQ(auxv_name(AT_NULL), "AT_NULL");
    EXPECT_EQ(auxv_name(12345), "AT_???");
}

}  // namespace
}  // namespace sysentry
