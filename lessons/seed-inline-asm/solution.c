/* seed-inline-asm, reference solution: the seed note's test.c with its
 * defects fixed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* write(2) by hand. Every register the asm reads or writes is an operand, and
 * the registers the syscall instruction itself overwrites are clobbers:
 * rcx (the return address) and r11 (the saved RFLAGS). "memory": the kernel
 * reads the buffer, so pending stores to it must happen first. */
static inline __attribute__((always_inline)) ssize_t write_by_hand(int fd, const char *str, size_t len)
{
    ssize_t ret;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(1L), "D"((long)fd), "S"(str), "d"(len)
                 : "rcx", "r11", "memory");
    return ret;
}

int main(int argc, char **argv)
{
    const char *str = "hello systemcall";
    size_t len = strlen(str) + 1;

    int fd = open("tmp1", O_WRONLY | O_CREAT | O_APPEND, 0644);  /* O_CREAT needs a mode */

    ssize_t ret = write_by_hand(fd, str, len);
    printf("write %d return %zd\n", fd, ret);  /* only once ret holds the result */
    return 0;
}
