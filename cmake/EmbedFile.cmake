# sysentry_embed_file(TARGET SYMBOL FILE): FILE's bytes inside TARGET, between
# the symbols <SYMBOL>_start and <SYMBOL>_end (an .incbin in a generated .S).
function(sysentry_embed_file target symbol file)
  set(asm ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.S)
  file(WRITE ${asm}
    "\t.section .rodata\n\t.balign 16\n\t.globl ${symbol}_start, ${symbol}_end\n"
    "${symbol}_start:\n\t.incbin \"${file}\"\n${symbol}_end:\n"
    "\t.section .note.GNU-stack,\"\",@progbits\n")
  set_source_files_properties(${asm} PROPERTIES OBJECT_DEPENDS ${file})
  target_sources(${target} PRIVATE ${asm})
endfunction()
