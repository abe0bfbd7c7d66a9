# Header-only libraries parsed once per target instead of once per file: CLI11
# alone cost about 6 s of CPU in each of the CLI's files, gtest and fmt about
# 1 s in each test. -DSYSENTRY_PCH=OFF turns it off (ccache then caches every
# file; with it on, ccache needs CCACHE_SLOPPINESS=pch_defines,time_macros).
option(SYSENTRY_PCH "Precompile the heavy common headers of each target" ON)

function(sysentry_precompile target)
  if(NOT SYSENTRY_PCH)
    return()
  endif()
  foreach(header IN LISTS ARGN)
    target_precompile_headers(${target} PRIVATE "$<$<COMPILE_LANGUAGE:CXX>:${header}>")
  endforeach()
endfunction()
