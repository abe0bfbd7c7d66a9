/* Anonymous mappings: mmap, write, mprotect to read-only, munmap. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

enum { kPage = 4096, kPages = 16 };

int main(void) {
    long rc; /* a call's result, taken before strerror(errno) reads errno */
    unsigned char* p = mmap(NULL, kPages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap: %s\n", p != MAP_FAILED ? "ok" : strerror(errno));
    if (p == MAP_FAILED) return 1;
    printf("page aligned: %s\n", ((unsigned long)p % kPage) == 0 ? "yes" : "no");
    int zero = 1;
    for (int i = 0; i < kPages * kPage; ++i) zero &= p[i] == 0;
    printf("zero filled: %s\n", zero ? "yes" : "no");
    for (int i = 0; i < kPages * kPage; ++i) p[i] = (unsigned char)(i * 7);
    unsigned sum = 0;
    for (int i = 0; i < kPages * kPage; ++i) sum += p[i];
    printf("sum after write: %u\n", sum);
    printf("mprotect read-only: %d\n", mprotect(p, kPages * kPage, PROT_READ));
    sum = 0;
    for (int i = 0; i < kPages * kPage; ++i) sum += p[i];
    printf("still readable, sum: %u\n", sum);
    rc = mprotect(p + 1, kPage, PROT_READ);
    printf("mprotect unaligned: %ld %s\n", rc, strerror(errno));
    printf("munmap middle page: %d\n", munmap(p + 4 * kPage, kPage));
    printf("munmap all: %d\n", munmap(p, kPages * kPage));
    rc = munmap(p, 0);
    printf("munmap zero length: %ld %s\n", rc, strerror(errno));

    unsigned char* q = mmap(NULL, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("shared anonymous mmap: %s\n", q != MAP_FAILED ? "ok" : strerror(errno));
    if (q != MAP_FAILED) {
        strcpy((char*)q, "shared");
        printf("content: %s\n", q);
        munmap(q, kPage);
    }
    void* bad = mmap(NULL, kPage, PROT_READ, MAP_PRIVATE, -1, 0);
    printf("mmap without MAP_ANONYMOUS on fd -1: %s\n", bad == MAP_FAILED ? strerror(errno) : "mapped");
    return 0;
}
