/* g++ has -fsanitize-coverage=trace-pc but not the inline 8-bit counters
 * LLVM 14's libFuzzer reads (that runtime refuses trace-pc callbacks). The
 * harnesses link with --wrap=__sanitizer_cov_trace_pc, so each callback lands
 * here: the edge (previous block, this block), hashed AFL-style, bumps one of
 * 64 Ki counters registered with libFuzzer as an inline-counter module. */
#include <stdint.h>

void __sanitizer_cov_8bit_counters_init(uint8_t* start, uint8_t* stop);

enum { kCounterBits = 16 };
static uint8_t counters[1u << kCounterBits] __attribute__((aligned(4096)));
static __thread uintptr_t previous_block;

__attribute__((no_sanitize_coverage, no_sanitize_address, no_sanitize_undefined))
void __wrap___sanitizer_cov_trace_pc(void) {
    uintptr_t block = (uintptr_t)__builtin_return_address(0);
    counters[(block ^ previous_block) & ((1u << kCounterBits) - 1)]++;
    previous_block = block >> 1; /* A->B and B->A differ */
}

__attribute__((constructor, no_sanitize_coverage)) static void register_counters(void) {
    __sanitizer_cov_8bit_counters_init(counters, counters + sizeof counters);
}

/* g++'s trace-cmp also reports float and double compares; LLVM's runtime has
 * no callbacks for them (it guesses integers and strings only). */
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpf(float a, float b) { (void)a, (void)b; }
__attribute__((no_sanitize_coverage)) void __sanitizer_cov_trace_cmpd(double a, double b) { (void)a, (void)b; }
