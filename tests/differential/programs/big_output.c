/* One MiB to stdout in writes of varying sizes (stdio and write(2)); the test compares bytes. */
#include <stdio.h>
#include <unistd.h>

enum { kTotal = 1 << 20 };

int main(void) {
    static unsigned char block[kTotal];
    for (int i = 0; i < kTotal; ++i) block[i] = (unsigned char)((i * 7 + i / 251) % 256);
    size_t at = 0, chunk = 1;
    while (at < kTotal / 2) {  /* first half through stdio */
        size_t n = chunk < kTotal / 2 - at ? chunk : kTotal / 2 - at;
        fwrite(block + at, 1, n, stdout);
        at += n;
        chunk = chunk * 3 % 9973 + 1;
    }
    fflush(stdout);
    while (at < kTotal) {  /* second half straight through write(2) */
        size_t want = chunk < kTotal - at ? chunk : kTotal - at;
        ssize_t n = write(1, block + at, want);
        if (n <= 0) return 1;
        at += (size_t)n;
        chunk = chunk * 5 % 65521 + 1;
    }
    fprintf(stderr, "wrote %zu bytes\n", at);
    return 0;
}
