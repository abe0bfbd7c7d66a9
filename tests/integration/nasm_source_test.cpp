// `sysentry run prog.asm`: NASM source is assembled (nasm -felf64), linked
// (ld) and run, with the guest's own output and exit status.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "support/guest.hpp"

namespace sysentry::test {
namespace {

constexpr const char* kNasmHello = R"(global _start
section .text
_start:
    mov eax, 1          ; write
    mov edi, 1
    lea rsi, [rel msg]
    mov edx, len
    syscall
    mov eax, 60         ; exit
    mov edi, 5
    syscall
section .rodata
msg: db "nasm hello", 10
len equ $ - msg
)";

TEST(nasm_source, is_assembled_linked_and_run) {
    fs::path dir = fs::temp_directory_path() / ("sysentry-nasm-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "hello.asm") << kNasmHello;
    ProcessRun run = run_cli({"run", (dir / "hello.asm").string()});
    EXPECT_EQ(run.exit_code, 5) << describe(run);
    EXPECT_EQ(run.out, "nasm hello\n");
    std::ofstream(dir / "broken.asm") << "global _start\n_start: mov eax, \n";
    ProcessRun bad = run_cli({"run", (dir / "broken.asm").string()});
    EXPECT_EQ(bad.exit_code, 126) << describe(bad);
    EXPECT_NE(bad.err.find("nasm failed"), std::string::npos) << bad.err;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace sysentry::test
