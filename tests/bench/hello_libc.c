/* hello_libc.c: the start-up benchmark's libc program. A static glibc
 * binary runs its whole start-up (brk, arch_prctl, TLS set-up, stdio)
 * before main, which is what makes it a fairer start-up test than the
 * two-syscall assembly hello. */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
