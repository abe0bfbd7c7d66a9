# Sanitizer and fuzzing builds (CMakePresets.json: "sanitize" sets both).
#   SYSENTRY_SANITIZE=address,undefined  every target of ours built and linked
#                                        with those sanitizers; jemalloc is left
#                                        out (it would replace ASan's malloc).
#   SYSENTRY_FUZZ=ON                     coverage for libFuzzer and the
#                                        harnesses in tests/fuzz/.
# g++ builds both: clang 14 cannot compile libstdc++ 12's <expected> (it lacks
# P0848's conditionally trivial special members), so the fuzz build uses g++'s
# -fsanitize-coverage=trace-pc,trace-cmp and links libFuzzer's runtime from
# libclang-rt-14-dev; tests/fuzz/coverage_bridge.c turns trace-pc callbacks
# into the counters that runtime reads.
set(SYSENTRY_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined")
option(SYSENTRY_FUZZ "Build the libFuzzer harnesses in tests/fuzz" OFF)

if(SYSENTRY_SANITIZE)
  add_compile_options(-fsanitize=${SYSENTRY_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${SYSENTRY_SANITIZE})
  add_compile_definitions(SYSENTRY_SANITIZED=1)  # tests may stretch time limits (2-3x slower)
endif()
if(SYSENTRY_FUZZ)
  if(NOT SYSENTRY_SANITIZE)
    message(FATAL_ERROR "SYSENTRY_FUZZ needs SYSENTRY_SANITIZE (use the \"sanitize\" preset)")
  endif()
  add_compile_options(-fsanitize-coverage=trace-pc,trace-cmp)
endif()
