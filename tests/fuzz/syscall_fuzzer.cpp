// The system-call layer with any number and any arguments. The input is a
// list of calls; each becomes straight-line code that loads the registers and
// executes `syscall` (or `int $0x80`). An argument is a raw value or a pointer
// aimed at a chosen kind of memory: the program's own data, its stack, the
// end of its mapping, unmapped user memory, the kernel half, the
// non-canonical hole, or the never-mappable last user page.
#include <array>
#include <cstring>
#include <vector>

#include "fuzz/fuzz_guest.hpp"

namespace {

using namespace sysentry::fuzz;

constexpr size_t kMaxCalls = 16;
constexpr size_t kDataPrefix = 128;   // input bytes copied to the start of the data area
constexpr uint64_t kDataSize = 8192;  // the data area, zero after the prefix
constexpr size_t kCallBytes = 3 + 6 * 9;

enum Gpr : uint8_t { rax = 0, rcx = 1, rdx = 2, rbx = 3, rbp = 5, rsi = 6, rdi = 7, r8 = 8, r9 = 9, r10 = 10 };
constexpr std::array<Gpr, 7> kSyscallRegs = {rax, rdi, rsi, rdx, r10, r8, r9};  // nr, then args 1-6
constexpr std::array<Gpr, 7> kInt80Regs = {rax, rbx, rcx, rdx, rsi, rdi, rbp};

class Reader {
public:
    Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
    size_t left() const { return size_t(end_ - p_); }
    template <class T> T take() {
        T v{};
        size_t n = std::min(sizeof v, left());
        std::memcpy(&v, p_, n);
        p_ += n;
        return v;
    }
    std::span<const uint8_t> take_bytes(size_t n) {
        n = std::min(n, left());
        std::span<const uint8_t> s(p_, n);
        p_ += n;
        return s;
    }
private:
    const uint8_t* p_;
    const uint8_t* end_;
};

class CodeWriter {
public:
    void mov_imm(Gpr r, uint64_t imm) {  // movabs $imm, %r
        put(0x48 | (r >= 8 ? 0x01 : 0)), put(0xb8 + (r & 7));
        for (int i = 0; i < 8; ++i) put(uint8_t(imm >> (8 * i)));
    }
    void lea_below_rsp(Gpr r, uint32_t below) {  // lea -below(%rsp), %r
        put(0x48 | (r >= 8 ? 0x04 : 0)), put(0x8d), put(0x80 | ((r & 7) << 3) | 4), put(0x24);
        uint32_t disp = uint32_t(-int64_t(below));
        for (int i = 0; i < 4; ++i) put(uint8_t(disp >> (8 * i)));
    }
    void bytes(std::initializer_list<uint8_t> b) { code_.insert(code_.end(), b); }
    std::vector<uint8_t>& code() { return code_; }
private:
    void put(uint8_t b) { code_.push_back(b); }
    std::vector<uint8_t> code_;
};

// One argument: a kind byte and a 64-bit value that the kind shapes.
void load_argument(CodeWriter& w, Gpr r, uint8_t kind, uint64_t v, uint64_t data_base) {
    switch (kind % 9) {
    case 0: w.mov_imm(r, v); break;                                       // anything
    case 1: w.mov_imm(r, int64_t(v % 64) - 8); break;                     // small ints, fds, -1
    case 2: w.mov_imm(r, data_base + v % kDataSize); break;               // our data
    case 3: w.mov_imm(r, data_base + kDataSize - v % 64); break;          // straddling the end
    case 4: w.lea_below_rsp(r, uint32_t(v % 4096)); break;                // our stack
    case 5: w.mov_imm(r, 0x10000000 + v % (1 << 20)); break;              // unmapped user memory
    case 6: w.mov_imm(r, 0xffffffff81000000 + v % (1 << 21)); break;      // kernel text
    case 7: w.mov_imm(r, 0x0000800000000000 + v % (1ull << 32)); break;   // non-canonical
    default: w.mov_imm(r, 0x7ffffffff000 + v % 4096); break;              // last user page
    }
}

}  // namespace

SYSENTRY_FUZZ_TARGET(syscall) {
    Reader in(data, size);
    std::span<const uint8_t> prefix = in.take_bytes(kDataPrefix);
    // Layout: headers, code, then the data area; the code size must be known
    // first, so emit with a placeholder base, then once more with the real one.
    std::vector<uint8_t> code;
    for (uint64_t data_base = 0, pass = 0; pass < 2; ++pass) {
        Reader calls = in;
        CodeWriter w;
        for (size_t i = 0; i < kMaxCalls && calls.left() >= kCallBytes; ++i) {
            uint8_t flags = calls.take<uint8_t>();
            uint64_t nr = calls.take<uint16_t>() % 600;
            if (flags & 2) nr |= 0x40000000;  // __X32_SYSCALL_BIT
            const auto& regs = (flags & 1) ? kInt80Regs : kSyscallRegs;
            w.mov_imm(regs[0], nr);
            for (size_t a = 1; a < regs.size(); ++a) {
                uint8_t kind = calls.take<uint8_t>();
                load_argument(w, regs[a], kind, calls.take<uint64_t>(), data_base);
            }
            if (flags & 1) w.bytes({0xcd, 0x80});  // int $0x80
            else w.bytes({0x0f, 0x05});            // syscall
        }
        w.mov_imm(rax, 231);          // exit_group(0)
        w.bytes({0x31, 0xff, 0x0f, 0x05});
        code = std::move(w.code());
        data_base = kTinyEntry + code.size();
    }
    code.insert(code.end(), prefix.begin(), prefix.end());
    run_guarded({tiny_elf(code, kDataSize - prefix.size()), {}, 200'000});
}
