# Build-time generation of the syscall catalogue from Linux-format .tbl files.
#
#   include(SyscallTable)
#   sysentry_generate_syscall_table(
#     OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/syscall_table.inc
#     TABLES ${PROJECT_SOURCE_DIR}/kernel_model/syscalls/table/syscall_64.tbl
#            ${PROJECT_SOURCE_DIR}/kernel_model/syscalls/table/syscall_32.tbl
#     [TARGET <library>])
#
# The .inc holds one X-macro line per (ABI, number):
#   SYSENTRY_SYSCALL(x86_64, 1, write, sys_write)
# It is regenerated whenever a .tbl file or the generator script changes.
# With TARGET, the .inc is added to the target's sources (so it is generated
# before the target compiles) and its directory to the private include path.
# Without TARGET the caller must do both.

# Captured at include() time: inside the function CMAKE_CURRENT_LIST_DIR is the caller's.
set(_SYSENTRY_SYSCALL_TABLE_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/GenerateSyscallTable.cmake")

function(sysentry_generate_syscall_table)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "OUTPUT;TARGET" "TABLES")
  if(NOT ARG_OUTPUT)
    message(FATAL_ERROR "sysentry_generate_syscall_table: OUTPUT is required")
  endif()
  if(NOT ARG_TABLES)
    message(FATAL_ERROR "sysentry_generate_syscall_table: TABLES needs at least one .tbl file")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sysentry_generate_syscall_table: unexpected arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()

  get_filename_component(output "${ARG_OUTPUT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  set(tables "")
  foreach(table IN LISTS ARG_TABLES)
    get_filename_component(table "${table}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND tables "${table}")
  endforeach()
  # A ';' would split the -D argument into several command words, so the
  # table list travels to the script '|'-separated.
  string(REPLACE ";" "|" joined_tables "${tables}")

  get_filename_component(output_dir "${output}" DIRECTORY)
  add_custom_command(
    OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}"
            "-DSYSENTRY_OUTPUT=${output}"
            "-DSYSENTRY_TABLES=${joined_tables}"
            -P "${_SYSENTRY_SYSCALL_TABLE_SCRIPT}"
    DEPENDS ${tables} "${_SYSENTRY_SYSCALL_TABLE_SCRIPT}"
    COMMENT "Generating syscall table ${output}"
    VERBATIM)

  if(ARG_TARGET)
    target_sources(${ARG_TARGET} PRIVATE "${output}")
    target_include_directories(${ARG_TARGET} PRIVATE "${output_dir}")
  endif()
endfunction()
