# cmake -DSYSENTRY_OUTPUT=<file.inc> -DSYSENTRY_TABLES=<a.tbl|b.tbl> -P GenerateSyscallTable.cmake
#
# Reads Linux-format syscall tables (<number> <abi> <name> [<entry point>
# [<compat entry point> [noreturn]]]) and writes one X-macro line per
# (ABI, number), grouped x86_64, x32, i386 and ascending by number:
#   SYSENTRY_SYSCALL(x86_64, 1, write, sys_write)
# Linux's "common" rows serve both the 64-bit and the x32 ABI, so they are
# emitted twice; x32 numbers are written without __X32_SYSCALL_BIT. A row
# without an entry point is a reserved number and gets sys_ni_syscall.
# Any malformed row or duplicate (ABI, number) or (ABI, name) stops the build.
cmake_minimum_required(VERSION 3.21)

# Keeps the catalogue's dense per-ABI lookup arrays small; also catches a
# number written with the x32 bit already added.
set(kMaxSyscallNumber 4095)
set(kIdentifierRegex "^[A-Za-z_][A-Za-z0-9_]*$")

if(NOT DEFINED SYSENTRY_OUTPUT OR NOT DEFINED SYSENTRY_TABLES)
  message(FATAL_ERROR "usage: cmake -DSYSENTRY_OUTPUT=<file.inc> -DSYSENTRY_TABLES=<a.tbl|b.tbl> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
string(REPLACE "|" ";" tables "${SYSENTRY_TABLES}")

set(rows_x86_64 "")
set(rows_x32 "")
set(rows_i386 "")

# Records one (abi, nr, name, entry) after checking it is not a duplicate.
macro(add_syscall abi nr name entry where)
  if(DEFINED seen_nr_${abi}_${nr})
    message(FATAL_ERROR "${where}: duplicate ${abi} syscall number ${nr} (first defined at ${seen_nr_${abi}_${nr}})")
  endif()
  if(DEFINED seen_name_${abi}_${name})
    message(FATAL_ERROR "${where}: duplicate ${abi} syscall name ${name} (first defined at ${seen_name_${abi}_${name}})")
  endif()
  set(seen_nr_${abi}_${nr} "${where}")
  set(seen_name_${abi}_${name} "${where}")
  list(APPEND rows_${abi} "SYSENTRY_SYSCALL(${abi}, ${nr}, ${name}, ${entry})")
endmacro()

# Parses one non-comment row into add_syscall calls, or fails naming file:line.
macro(parse_row row where)
  string(REGEX MATCHALL "[^ \t]+" fields "${row}")
  list(LENGTH fields field_count)
  if(field_count LESS 3 OR field_count GREATER 6)
    message(FATAL_ERROR "${where}: malformed row '${row}': expected <number> <abi> <name> [<entry point> [<compat entry point> [noreturn]]]")
  endif()
  list(GET fields 0 nr)
  list(GET fields 1 tbl_abi)
  list(GET fields 2 name)
  set(entry "sys_ni_syscall")
  if(field_count GREATER 3)
    list(GET fields 3 entry)
  endif()
  if(NOT nr MATCHES "^[0-9]+$")
    message(FATAL_ERROR "${where}: malformed row '${row}': number '${nr}' is not a decimal integer")
  endif()
  string(LENGTH "${nr}" digits)
  if(digits LESS 10)  # math(EXPR) below would overflow on absurd lengths
    math(EXPR nr "${nr}")  # drops leading zeros, which C++ would read as octal
  endif()
  if(digits GREATER_EQUAL 10 OR nr GREATER kMaxSyscallNumber)
    message(FATAL_ERROR "${where}: malformed row '${row}': number ${nr} exceeds ${kMaxSyscallNumber} (x32 numbers are written without the x32 bit)")
  endif()
  if(NOT name MATCHES "${kIdentifierRegex}")
    message(FATAL_ERROR "${where}: malformed row '${row}': name '${name}' is not an identifier")
  endif()
  if(NOT entry MATCHES "${kIdentifierRegex}")
    message(FATAL_ERROR "${where}: malformed row '${row}': entry point '${entry}' is not an identifier")
  endif()
  if(field_count GREATER 4)
    list(GET fields 4 compat)
    if(NOT compat STREQUAL "-" AND NOT compat MATCHES "${kIdentifierRegex}")
      message(FATAL_ERROR "${where}: malformed row '${row}': compat entry point '${compat}' is not an identifier or '-'")
    endif()
  endif()
  if(field_count EQUAL 6)
    list(GET fields 5 flag)
    if(NOT flag STREQUAL "noreturn")
      message(FATAL_ERROR "${where}: malformed row '${row}': sixth column must be 'noreturn'")
    endif()
  endif()

  if(tbl_abi STREQUAL "common")
    add_syscall(x86_64 ${nr} ${name} ${entry} "${where}")
    add_syscall(x32 ${nr} ${name} ${entry} "${where}")
  elseif(tbl_abi STREQUAL "64")
    add_syscall(x86_64 ${nr} ${name} ${entry} "${where}")
  elseif(tbl_abi STREQUAL "x32")
    add_syscall(x32 ${nr} ${name} ${entry} "${where}")
  elseif(tbl_abi STREQUAL "i386")
    add_syscall(i386 ${nr} ${name} ${entry} "${where}")
  else()
    message(FATAL_ERROR "${where}: malformed row '${row}': abi '${tbl_abi}' is not one of common, 64, x32, i386")
  endif()
endmacro()

set(table_names "")
foreach(table IN LISTS tables)
  if(NOT EXISTS "${table}")
    message(FATAL_ERROR "${table}: syscall table not found")
  endif()
  get_filename_component(table_name "${table}" NAME)
  list(APPEND table_names "${table_name}")

  file(READ "${table}" content)
  # Turn the file into a CMake list of lines. Characters with list meaning
  # (';', '[', ']', '\') cannot occur in a valid row: they become '?', which
  # the identifier checks reject (and comments may still contain them).
  string(REPLACE "\r" "" content "${content}")
  string(REGEX REPLACE "[][;\\\\]" "?" content "${content}")
  string(REPLACE "\n" ";" lines "${content}")

  set(line_number 0)
  foreach(line IN LISTS lines)
    math(EXPR line_number "${line_number} + 1")
    string(REGEX REPLACE "#.*$" "" row "${line}")
    string(STRIP "${row}" row)
    if(NOT row STREQUAL "")
      parse_row("${row}" "${table}:${line_number}")
    endif()
  endforeach()
endforeach()

list(JOIN table_names ", " table_names)
set(text "// Generated by cmake/GenerateSyscallTable.cmake from ${table_names}.\n")
string(APPEND text "// Do not edit: adding a syscall is one row in the .tbl file.\n")
string(APPEND text "// SYSENTRY_SYSCALL(abi, number, name, entry point); x32 numbers exclude __X32_SYSCALL_BIT.\n")
foreach(abi IN ITEMS x86_64 x32 i386)
  # NATURAL compares the embedded numbers numerically (2 before 10).
  list(SORT rows_${abi} COMPARE NATURAL)
  foreach(row IN LISTS rows_${abi})
    string(APPEND text "${row}\n")
  endforeach()
endforeach()

# Replace the output only when its content changes, so editing a comment in
# a .tbl file does not recompile the catalogue.
get_filename_component(output_dir "${SYSENTRY_OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${output_dir}")
file(WRITE "${SYSENTRY_OUTPUT}.tmp" "${text}")
file(COPY_FILE "${SYSENTRY_OUTPUT}.tmp" "${SYSENTRY_OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${SYSENTRY_OUTPUT}.tmp")
