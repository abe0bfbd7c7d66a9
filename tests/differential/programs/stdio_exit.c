/* stdio on both streams, then exit(3): buffered stdout must be flushed at exit. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("printf: %d %s %5.2f\n", 42, "text", 3.14159);
    puts("puts: a line");
    fputs("fputs: to stderr\n", stderr);
    fprintf(stderr, "fprintf: %#x\n", 255);
    fputs("fputs: stdout without a newline", stdout);
    exit(3);
}
