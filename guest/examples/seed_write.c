/* seed_write.c: the seed note's test.c, kept as the note wrote it.
 *
 * It opens a file, then calls write(2) by hand with inline assembly, the way
 * the seed shows the register convention: rdi, rsi, rdx, and rax = 1 (write).
 * The asm has two defects that lesson `seed-inline-asm` asks students to fix:
 * SYSCALL overwrites rcx and r11 (and the asm writes rdi, rsi, rax) without
 * telling the compiler, and the first printf shows a value before the call
 * has set it. `sysentry` with no arguments runs this program traced. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

int main(int argc, char **argv)
{
    const char *str = "hello systemcall";
    size_t len = strlen(str) + 1;
    ssize_t ret = 1;

    int fd = open("tmp1", O_WRONLY | O_CREAT | O_APPEND);

    printf("write %d return %lu\n", fd, ret);
    asm volatile(
        "mov  %1,%%edi\n\t"
        "movq %2,%%rsi\n\t"
        "movq %3,%%rdx\n\t"
        "movq $1,%%rax\n\t"
        "syscall\n\t"
        "movq %%rax, %0\n\t"
        : "=p"(ret)
        : "b"(fd), "p"(str), "d"(len));
    printf("write return %lu\n", ret);
    return 0;
}
