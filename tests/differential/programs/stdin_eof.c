/* Reads stdin to EOF with read(2); prints the byte count and an FNV-1a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    unsigned char buf[3000];  /* an odd size: reads straddle pipe buffers */
    uint64_t hash = 1469598103934665603ULL, total = 0;
    int reads = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; ++i) hash = (hash ^ buf[i]) * 1099511628211ULL;
        total += (uint64_t)n;
        ++reads;
    }
    printf("last read: %zd\n", n);
    printf("bytes: %llu\n", (unsigned long long)total);
    printf("fnv1a: %016llx\n", (unsigned long long)hash);
    printf("more than one read: %s\n", reads > 1 ? "yes" : "no");
    printf("read after EOF: %zd\n", read(0, buf, sizeof buf));
    return 0;
}
