/* In the "sanitize" build every object is compiled with g++'s
 * -fsanitize-coverage=trace-pc,trace-cmp, so the fuzzers and the ordinary
 * executables (sysentry, sysentry_tests) share one compile. Executables that
 * are not fuzzers link these empty callbacks instead of libFuzzer's runtime. */
#include <stdint.h>

#define NO_COVERAGE __attribute__((no_sanitize_coverage, no_sanitize_address, no_sanitize_undefined))

NO_COVERAGE void __sanitizer_cov_trace_pc(void) {}
NO_COVERAGE void __sanitizer_cov_trace_cmp1(uint8_t a, uint8_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_cmp2(uint16_t a, uint16_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_cmp4(uint32_t a, uint32_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_cmp8(uint64_t a, uint64_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_const_cmp1(uint8_t a, uint8_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_const_cmp2(uint16_t a, uint16_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_const_cmp4(uint32_t a, uint32_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_const_cmp8(uint64_t a, uint64_t b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_cmpf(float a, float b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_cmpd(double a, double b) { (void)a, (void)b; }
NO_COVERAGE void __sanitizer_cov_trace_switch(uint64_t value, uint64_t* cases) { (void)value, (void)cases; }
