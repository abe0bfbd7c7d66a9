// wrong-length: write's rdx is not the length of the literal it writes: it
// runs past the string's end (NUL bytes or what follows go out) or stops
// inside it. Judged only for text the program carries in its file (a
// literal, untouched since load), so buffers filled at run time never count.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "detectors.hpp"
#include "sysentry/user_memory.hpp"

namespace sysentry::grading {

namespace {

constexpr uint64_t kLongest = 1 << 16;  // longer writes are not text to judge

bool printable(uint8_t c) { return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t'; }

class WrongLength final : public Detector {
public:
    explicit WrongLength(const ProgramFacts& facts) : facts_(facts) {}
    void instruction(const ExecutedInstruction& i) override {
        if (i.facts.is_syscall) mine_ = facts_.in_student_code(i.address);
    }
    void event(const Event& e) override {
        auto* call = std::get_if<SyscallEntryEvent>(&e);
        if (!call || !mine_ || call->abi != SyscallAbi::x86_64 || call->name != "write" || !call->memory) return;
        uint64_t fd = call->args[0], buf = call->args[1], len = call->args[2];
        if ((fd != 1 && fd != 2) || len == 0 || len > kLongest) return;
        auto literal = file_bytes(buf, len);
        if (!literal) return;
        std::vector<uint8_t> now(len);
        if (!call->memory->read(buf, now.data(), len) || !std::ranges::equal(now, *literal)) return;
        if (auto nul = std::ranges::find(now, uint8_t(0)); nul != now.end() && nul != now.begin()) {
            size_t text = size_t(nul - now.begin());
            return found(fmt::format("write({}, buf, {}): the text ends after {} bytes; {} more bytes (from a NUL on) "
                                     "went out too",
                                     fd, len, text, len - text));
        }
        auto after = file_bytes(buf + len, 1);
        if (now.back() != '\n' && after && (*after)[0] && printable((*after)[0]) && std::ranges::all_of(now, printable))
            found(fmt::format("write({}, buf, {}) stops inside the text: the byte after it is '{}'", fd, len,
                              (*after)[0] == '\n' ? std::string("\\n") : std::string(1, char((*after)[0]))));
    }

private:
    // The file's bytes for [va, va + len), when one segment holds them all.
    std::optional<std::vector<uint8_t>> file_bytes(uint64_t va, uint64_t len) const {
        for (auto& [start, bytes] : facts_.file_data)
            if (va >= start && va + len <= start + bytes.size())
                return std::vector<uint8_t>(bytes.begin() + ptrdiff_t(va - start), bytes.begin() + ptrdiff_t(va - start + len));
        return std::nullopt;
    }
    const ProgramFacts& facts_;
    bool mine_ = false;
};

}  // namespace

std::unique_ptr<Detector> make_wrong_length(const ProgramFacts& facts) { return std::make_unique<WrongLength>(facts); }

}  // namespace sysentry::grading
