// One macro declares a fuzz target. Built by the "sanitize" preset (where
// SYSENTRY_FUZZER_MAIN is defined) it becomes libFuzzer's entry point; built
// into sysentry_tests it registers itself by name, so fuzz_regressions_test
// can replay tests/fuzz/regressions/<name>/* through the same code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>

namespace sysentry::fuzz {

using Target = void (*)(const uint8_t* data, size_t size);

inline std::map<std::string, Target>& targets() {
    static std::map<std::string, Target> all;
    return all;
}

struct Registration {
    Registration(const char* name, Target t) { targets()[name] = t; }
};

// A broken invariant: under libFuzzer a crash (the input is saved), in the
// test binary an exception the replay test reports.
struct InvariantBroken : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] inline void broken(const char* what, const char* file, int line) {
#ifdef SYSENTRY_FUZZER_MAIN
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
    std::abort();
#else
    throw InvariantBroken(std::string(file) + ":" + std::to_string(line) + ": " + what);
#endif
}

}  // namespace sysentry::fuzz

#define SYSENTRY_FUZZ_CHECK(cond) \
    ((cond) ? void(0) : ::sysentry::fuzz::broken(#cond, __FILE__, __LINE__))

#ifdef SYSENTRY_FUZZER_MAIN
#define SYSENTRY_FUZZ_TARGET(name)                                                 \
    static void fuzz_##name(const uint8_t* data, size_t size);                     \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {      \
        fuzz_##name(data, size);                                                   \
        return 0;                                                                  \
    }                                                                              \
    static void fuzz_##name(const uint8_t* data, size_t size)
#else
#define SYSENTRY_FUZZ_TARGET(name)                                                 \
    static void fuzz_##name(const uint8_t* data, size_t size);                     \
    static const ::sysentry::fuzz::Registration register_##name(#name, fuzz_##name); \
    static void fuzz_##name(const uint8_t* data, size_t size)
#endif
