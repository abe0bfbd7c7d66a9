/* The heap: many small blocks, one 64 MiB block touched page by page, realloc growth. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kSmall = 1000, kBig = 64 << 20, kPage = 4096 };

int main(void) {
    char* small[kSmall];
    int ok = 1;
    for (int i = 0; i < kSmall; ++i) {
        small[i] = malloc(16 + i % 64);
        if (!small[i]) ok = 0; else memset(small[i], i & 0xff, 16);
    }
    for (int i = 0; i < kSmall; ++i) ok &= small[i] && small[i][15] == (char)(i & 0xff);
    for (int i = 0; i < kSmall; ++i) free(small[i]);
    printf("small blocks intact: %s\n", ok ? "yes" : "no");

    unsigned char* big = malloc(kBig);
    printf("64 MiB malloc: %s\n", big ? "ok" : "failed");
    if (!big) return 1;
    for (size_t i = 0; i < kBig; i += kPage) big[i] = (unsigned char)(i / kPage);
    uint64_t sum = 0;
    for (size_t i = 0; i < kBig; i += kPage) sum += big[i];
    printf("touched pages: %d, sum %llu\n", kBig / kPage, (unsigned long long)sum);
    free(big);

    char* grow = malloc(32);
    strcpy(grow, "kept across realloc");
    for (size_t size = 64; size <= (1 << 22); size *= 4) {
        grow = realloc(grow, size);
        if (!grow) return 1;
        grow[size - 1] = 'z';
    }
    printf("realloc to 4 MiB: '%s'\n", grow);
    grow = realloc(grow, 8);
    printf("realloc shrink keeps prefix: '%.7s'\n", grow);
    free(grow);
    void* zero = calloc(1000, 1000);
    int all_zero = 1;
    for (int i = 0; i < 1000000; i += 997) all_zero &= ((char*)zero)[i] == 0;
    printf("calloc zeroed: %s\n", all_zero ? "yes" : "no");
    free(zero);
    return 0;
}
