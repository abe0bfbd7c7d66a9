/* Calls the kernel through syscall_wrapper.s's my_syscall(), as syscall(2)'s
 * example does with libc's: a plain call, an error turned into -1 and errno,
 * and a six-argument call whose last argument travels on the C stack. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

long my_syscall(long nr, ...);

int main(void) {
    static const char hello[] = "hello from my_syscall\n";
    long n = my_syscall(SYS_write, 1, hello, sizeof hello - 1);
    printf("write returned %ld\n", n);

    long r = my_syscall(SYS_close, 999);
    printf("close(999) returned %ld, errno %d (%s)\n", r, errno, strerror(errno));

    long p = my_syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy((char*)p, "written into the new page");
    printf("mmap gave a page: %s\n", (char*)p);

    printf("getpid: my_syscall %ld, libc %d\n", my_syscall(SYS_getpid), getpid());
    return 0;
}
