/* Pure computation: qsort 100000 ints from an LCG; prints a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { kCount = 100000 };

static int compare(const void* a, const void* b) {
    int x = *(const int*)a, y = *(const int*)b;
    return (x > y) - (x < y);
}

int main(void) {
    int* v = malloc(kCount * sizeof *v);
    uint32_t state = 12345;
    for (int i = 0; i < kCount; ++i) {
        state = state * 1664525u + 1013904223u;
        v[i] = (int)(state >> 1);
    }
    qsort(v, kCount, sizeof *v, compare);
    int sorted = 1;
    uint64_t sum = 0;
    for (int i = 0; i < kCount; ++i) {
        if (i && v[i - 1] > v[i]) sorted = 0;
        sum = sum * 31 + (uint32_t)v[i];
    }
    printf("sorted: %s\n", sorted ? "yes" : "no");
    printf("min %d max %d median %d\n", v[0], v[kCount - 1], v[kCount / 2]);
    printf("checksum: %016llx\n", (unsigned long long)sum);
    free(v);
    return 0;
}
