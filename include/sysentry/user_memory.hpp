// Access to one guest process's virtual memory, as the kernel model sees it.
// Every read or write checks the page tables; a bad pointer yields false (the
// caller turns it into -EFAULT), never a host crash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sysentry {

class UserMemory {
public:
    virtual ~UserMemory() = default;
    virtual bool read(uint64_t va, void* dst, size_t len) const = 0;
    virtual bool write(uint64_t va, const void* src, size_t len) = 0;

    // A NUL-terminated string of at most `max` bytes; nullopt when unreadable
    // or unterminated within `max`.
    std::optional<std::string> read_cstring(uint64_t va, size_t max = 4096) const {
        std::string s;
        char c = 0;
        for (size_t i = 0; i < max; ++i) {
            if (!read(va + i, &c, 1)) return std::nullopt;
            if (c == '\0') return s;
            s.push_back(c);
        }
        return std::nullopt;
    }

    template <class T> std::optional<T> read_value(uint64_t va) const {
        T v{};
        if (!read(va, &v, sizeof v)) return std::nullopt;
        return v;
    }
    template <class T> bool write_value(uint64_t va, const T& v) {
        return write(va, &v, sizeof v);
    }
};

}  // namespace sysentry
