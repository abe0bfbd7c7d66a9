// Builds the initial process stack (see initial_stack.hpp for the picture).
// Addresses are computed top-down first, exactly like Linux, then the bytes
// are written into one buffer that the loader copies below stack_top.
#include "sysentry/initial_stack.hpp"

#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>

namespace sysentry {
namespace {

constexpr uint64_t kWord = sizeof(uint64_t);
constexpr uint64_t kStackAlign = 16;  // SysV ABI: rsp % 16 == 0 at process entry

uint64_t align_down(uint64_t x, uint64_t a) { return x & ~(a - 1); }

// Total bytes of NUL-terminated copies of the strings.
uint64_t strings_size(std::span<const std::string> strings) {
    return std::accumulate(strings.begin(), strings.end(), uint64_t{0},
                           [](uint64_t sum, const std::string& s) { return sum + s.size() + 1; });
}

bool has_embedded_nul(std::span<const std::string> strings) {
    return std::ranges::any_of(strings, [](const std::string& s) { return s.find('\0') != s.npos; });
}

bool any_too_long(std::span<const std::string> strings) {
    return std::ranges::any_of(strings, [](const std::string& s) { return s.size() + 1 > kMaxArgStrlen; });
}

// The auxv, in the order create_elf_tables() emits it on x86-64.
std::vector<std::pair<uint64_t, uint64_t>> auxv_entries(const AuxvInput& aux, uint64_t random_addr,
                                                        uint64_t execfn_addr, uint64_t platform_addr) {
    std::vector<std::pair<uint64_t, uint64_t>> head;
    if (aux.sysinfo_ehdr) head.push_back({AT_SYSINFO_EHDR, aux.sysinfo_ehdr});  // ARCH_DLINFO's first
    std::vector<std::pair<uint64_t, uint64_t>> rest{
        {AT_MINSIGSTKSZ, aux.minsigstksz},  // from ARCH_DLINFO, hence first
        {AT_HWCAP, aux.hwcap},
        {AT_PAGESZ, aux.pagesz},
        {AT_CLKTCK, aux.clktck},
        {AT_PHDR, aux.phdr},
        {AT_PHENT, aux.phent},
        {AT_PHNUM, aux.phnum},
        {AT_BASE, aux.base},
        {AT_FLAGS, 0},
        {AT_ENTRY, aux.entry},
        {AT_UID, aux.uid},
        {AT_EUID, aux.euid},
        {AT_GID, aux.gid},
        {AT_EGID, aux.egid},
        {AT_SECURE, aux.secure},
        {AT_RANDOM, random_addr},
        {AT_HWCAP2, aux.hwcap2},
        {AT_EXECFN, execfn_addr},
        {AT_PLATFORM, platform_addr},
        {AT_NULL, 0},
    };
    head.insert(head.end(), rest.begin(), rest.end());
    return head;
}

// Writes into the image buffer, which starts at guest address `base`.
struct StackWriter {
    uint64_t base;
    std::vector<uint8_t>& bytes;

    void put(uint64_t addr, const void* src, size_t len) { std::memcpy(&bytes[addr - base], src, len); }
    void put_word(uint64_t addr, uint64_t value) { put(addr, &value, kWord); }
    // Copies NUL-terminated strings upward from `addr`, recording where each went.
    uint64_t put_strings(uint64_t addr, std::span<const std::string> strings, std::vector<uint64_t>& where) {
        for (const auto& s : strings) {
            where.push_back(addr);
            put(addr, s.c_str(), s.size() + 1);
            addr += s.size() + 1;
        }
        return addr;
    }
};

// Linux's bprm_stack_limits() + copy_strings() checks: the strings (execfn
// included) plus one pointer per argv/envp entry must fit in the limit.
int check_limits(std::span<const std::string> argv, std::span<const std::string> envp,
                 const std::string& execfn, size_t max_bytes) {
    if (has_embedded_nul(argv) || has_embedded_nul(envp) || execfn.find('\0') != execfn.npos)
        return EINVAL;
    if (any_too_long(argv) || any_too_long(envp) || execfn.size() + 1 > kMaxArgStrlen) return E2BIG;
    const uint64_t pointers = (argv.size() + envp.size()) * kWord;
    if (max_bytes <= pointers) return E2BIG;
    const uint64_t strings = strings_size(argv) + strings_size(envp) + execfn.size() + 1;
    if (strings > max_bytes - pointers) return E2BIG;
    return 0;
}

}  // namespace

int check_argument_limits(std::span<const std::string> argv, std::span<const std::string> envp,
                          const std::string& execfn, size_t max_bytes) {
    static const std::string kEmptyArg;  // an empty argv becomes {""}, as below
    return check_limits(argv.empty() ? std::span(&kEmptyArg, 1) : argv, envp, execfn, max_bytes);
}

std::expected<InitialStack, int> build_initial_stack(uint64_t stack_top, std::span<const std::string> argv_in,
                                                     std::span<const std::string> envp,
                                                     const std::string& execfn, const AuxvInput& aux,
                                                     std::span<const uint8_t, 16> random_bytes,
                                                     size_t max_bytes) {
    // Since Linux 5.18 an empty argv becomes {""}, so argv[0] always exists.
    static const std::string kEmptyArg;
    const std::span<const std::string> argv = argv_in.empty() ? std::span(&kEmptyArg, 1) : argv_in;
    if (int err = check_limits(argv, envp, execfn, max_bytes); err != 0) return std::unexpected(err);

    const uint64_t argc = argv.size();
    const uint64_t envc = envp.size();
    const uint64_t items = (argc + 1) + (envc + 1) + 1;  // argv, envp (each + NULL) and argc
    const uint64_t auxv_words = 2 * auxv_entries(aux, 0, 0, 0).size();
    const uint64_t strings = strings_size(argv) + strings_size(envp);
    // Upper bound on everything below stack_top, to refuse wrap-around.
    const uint64_t worst_case = kWord + execfn.size() + 1 + strings + kStackAlign + kPlatform.size() + 1 +
                                random_bytes.size() + (auxv_words + items) * kWord + kStackAlign;
    if (stack_top < worst_case) return std::unexpected(E2BIG);

    InitialStack out;
    uint64_t p = stack_top - kWord;                 // Linux leaves the top word zero
    out.execfn_addr = p -= execfn.size() + 1;
    const uint64_t strings_addr = p -= strings;     // argv strings, then envp strings
    p = align_down(p, kStackAlign);                 // arch_align_stack(), minus its randomisation
    const uint64_t platform_addr = p -= kPlatform.size() + 1;
    out.random_addr = p -= random_bytes.size();
    const auto auxv = auxv_entries(aux, out.random_addr, out.execfn_addr, platform_addr);
    p -= auxv_words * kWord;
    out.rsp = align_down(p - items * kWord, kStackAlign);  // STACK_ROUND()
    out.bottom = out.rsp;
    out.argv_addr = out.rsp + kWord;
    out.envp_addr = out.argv_addr + (argc + 1) * kWord;
    out.auxv_addr = out.envp_addr + (envc + 1) * kWord;

    out.bytes.assign(stack_top - out.bottom, 0);
    StackWriter w{out.bottom, out.bytes};
    std::vector<uint64_t> argv_ptrs, envp_ptrs;
    w.put_strings(w.put_strings(strings_addr, argv, argv_ptrs), envp, envp_ptrs);
    w.put(out.execfn_addr, execfn.c_str(), execfn.size() + 1);
    w.put(platform_addr, kPlatform.data(), kPlatform.size());  // NUL already there (zero-filled)
    w.put(out.random_addr, random_bytes.data(), random_bytes.size());

    w.put_word(out.rsp, argc);
    for (uint64_t i = 0; i < argc; ++i) w.put_word(out.argv_addr + i * kWord, argv_ptrs[i]);
    for (uint64_t i = 0; i < envc; ++i) w.put_word(out.envp_addr + i * kWord, envp_ptrs[i]);
    for (size_t i = 0; i < auxv.size(); ++i) {
        w.put_word(out.auxv_addr + 2 * i * kWord, auxv[i].first);
        w.put_word(out.auxv_addr + (2 * i + 1) * kWord, auxv[i].second);
    }
    return out;
}

std::vector<std::pair<uint64_t, uint64_t>> parse_auxv(std::span<const uint8_t> bytes, size_t offset) {
    std::vector<std::pair<uint64_t, uint64_t>> pairs;
    constexpr size_t kPair = 2 * kWord;
    for (; offset <= bytes.size() && bytes.size() - offset >= kPair; offset += kPair) {
        uint64_t type = 0, value = 0;
        std::memcpy(&type, bytes.data() + offset, kWord);
        std::memcpy(&value, bytes.data() + offset + kWord, kWord);
        if (type == AT_NULL) break;
        pairs.emplace_back(type, value);
    }
    return pairs;
}

std::string_view auxv_name(uint64_t type) {
    switch (type) {
        case AT_NULL: return "AT_NULL";
        case AT_IGNORE: return "AT_IGNORE";
        case AT_EXECFD: return "AT_EXECFD";
        case AT_PHDR: return "AT_PHDR";
        case AT_PHENT: return "AT_PHENT";
        case AT_PHNUM: return "AT_PHNUM";
        case AT_PAGESZ: return "AT_PAGESZ";
        case AT_BASE: return "AT_BASE";
        case AT_FLAGS: return "AT_FLAGS";
        case AT_ENTRY: return "AT_ENTRY";
        case AT_NOTELF: return "AT_NOTELF";
        case AT_UID: return "AT_UID";
        case AT_EUID: return "AT_EUID";
        case AT_GID: return "AT_GID";
        case AT_EGID: return "AT_EGID";
        case AT_PLATFORM: return "AT_PLATFORM";
        case AT_HWCAP: return "AT_HWCAP";
        case AT_CLKTCK: return "AT_CLKTCK";
        case AT_SECURE: return "AT_SECURE";
        case AT_BASE_PLATFORM: return "AT_BASE_PLATFORM";
        case AT_RANDOM: return "AT_RANDOM";
        case AT_HWCAP2: return "AT_HWCAP2";
        case AT_RSEQ_FEATURE_SIZE: return "AT_RSEQ_FEATURE_SIZE";
        case AT_RSEQ_ALIGN: return "AT_RSEQ_ALIGN";
        case AT_EXECFN: return "AT_EXECFN";
        case AT_SYSINFO: return "AT_SYSINFO";
        case AT_SYSINFO_EHDR: return "AT_SYSINFO_EHDR";
        case AT_MINSIGSTKSZ: return "AT_MINSIGSTKSZ";
        default: return "AT_???";
    }
}

}  // namespace sysentry
