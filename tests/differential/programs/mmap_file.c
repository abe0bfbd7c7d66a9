/* File mappings: write a file, mmap it MAP_PRIVATE, read through the mapping. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { kSize = 3 * 4096 + 100 };

int main(void) {
    static unsigned char data[kSize];
    for (int i = 0; i < kSize; ++i) data[i] = (unsigned char)(i * 13 + 5);
    int fd = open("mapped.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("write: %zd\n", write(fd, data, kSize));

    unsigned char* p = mmap(NULL, kSize, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mmap: %s\n", p != MAP_FAILED ? "ok" : strerror(errno));
    if (p == MAP_FAILED) return 1;
    printf("mapping equals file: %s\n", memcmp(p, data, kSize) == 0 ? "yes" : "no");
    int tail_zero = 1;
    for (int i = kSize; i < 4 * 4096; ++i) tail_zero &= p[i] == 0;
    printf("rest of last page is zero: %s\n", tail_zero ? "yes" : "no");
    munmap(p, kSize);

    unsigned char* q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    printf("mmap at offset 4096 matches: %s\n", q != MAP_FAILED && memcmp(q, data + 4096, 4096) == 0 ? "yes" : "no");
    if (q != MAP_FAILED) munmap(q, 4096);
    printf("mmap unaligned offset: %s\n",
           mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? strerror(errno) : "mapped");

    unsigned char* w = mmap(NULL, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (w != MAP_FAILED) {
        memcpy(w, "PRIVATE", 7);
        unsigned char head[7];
        pread(fd, head, 7, 0);
        printf("private write stays private: %s\n", memcmp(head, data, 7) == 0 ? "yes" : "no");
        printf("mapping sees its write: %s\n", memcmp(w, "PRIVATE", 7) == 0 ? "yes" : "no");
        munmap(w, kSize);
    }
    close(fd);

    int ro = open("mapped.bin", O_RDONLY);
    void* bad = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    printf("shared writable map of a read-only fd: %s\n", bad == MAP_FAILED ? strerror(errno) : "mapped");
    close(ro);
    return 0;
}
