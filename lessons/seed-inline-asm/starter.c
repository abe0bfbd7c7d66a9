/* seed-inline-asm: the seed note's test.c, with its inline assembly moved
 * into a function of its own. It has two defects (see README.md): find them
 * and fix them. The harness compiles this file with gcc -O2 and uses
 * write_by_hand() in code of its own, so keep the function's name and type.
 *
 * What the fixed program must print, after the write, on one line:
 *     write 3 return 17
 * (the fd and the value write returned), and tmp1 must hold the 17 bytes. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* write(2) by hand: rax = 1 (write), rdi = fd, rsi = buffer, rdx = length. */
static inline __attribute__((always_inline)) ssize_t write_by_hand(int fd, const char *str, size_t len)
{
    ssize_t ret;
    asm volatile(
        "mov  %1,%%edi\n\t"
        "movq %2,%%rsi\n\t"
        "movq %3,%%rdx\n\t"
        "movq $1,%%rax\n\t"
        "syscall\n\t"
        "movq %%rax, %0\n\t"
        : "=p"(ret)
        : "b"(fd), "p"(str), "d"(len));
    return ret;
}

int main(int argc, char **argv)
{
    const char *str = "hello systemcall";
    size_t len = strlen(str) + 1;
    ssize_t ret = 1;

    int fd = open("tmp1", O_WRONLY | O_CREAT | O_APPEND);

    printf("write %d return %lu\n", fd, ret);
    ret = write_by_hand(fd, str, len);
    printf("write return %lu\n", ret);
    return 0;
}
