/* seed-inline-asm harness. The submission is compiled as part of this file
 * (gcc -static -DSUBMISSION='"path"' harness.c; the pragma below makes it
 * -O2) so that write_by_hand(), a static inline function, is inlined into the
 * tests below exactly as into the student's main. Verdicts go to stderr, one line each; then the
 * student's own main runs and its stdout is checked by the lesson.
 *
 * Why the tests catch the defects (checked against gcc 12 -O2's output; the
 * lesson's wrong/ submissions prove it with the compiler installed):
 * - live_values_survive() keeps 13 values live across the asm, more than the
 *   registers the asm is known to use leave free, so the compiler places some
 *   in rcx, r11, rdi, rsi and rax unless the asm declares those registers.
 * - stores_reach_the_kernel() fills a buffer only the asm reads; without a
 *   "memory" clobber the compiler may drop those stores as dead. */
#pragma GCC optimize("O2")  /* the lesson is about -O2, whatever the grader's flags */
#define main student_main
#include SUBMISSION
#undef main

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

enum { kLive = 13 };
static volatile uint64_t live_seed[kLive];

static void verdict(int ok, const char *what, const char *why)
{
    if (ok)
        fprintf(stderr, "ok - %s\n", what);
    else
        fprintf(stderr, "not ok - %s: %s\n", what, why);
}

/* Returns how many of the values live across the asm changed. */
__attribute__((noinline)) static int live_values_overwritten(void)
{
    uint64_t v0 = live_seed[0], v1 = live_seed[1], v2 = live_seed[2], v3 = live_seed[3];
    uint64_t v4 = live_seed[4], v5 = live_seed[5], v6 = live_seed[6], v7 = live_seed[7];
    uint64_t v8 = live_seed[8], v9 = live_seed[9], v10 = live_seed[10], v11 = live_seed[11];
    uint64_t v12 = live_seed[12];
    (void)write_by_hand(1, "", 0);  /* writes nothing; succeeds */
    return (v0 != live_seed[0]) + (v1 != live_seed[1]) + (v2 != live_seed[2]) + (v3 != live_seed[3]) +
           (v4 != live_seed[4]) + (v5 != live_seed[5]) + (v6 != live_seed[6]) + (v7 != live_seed[7]) +
           (v8 != live_seed[8]) + (v9 != live_seed[9]) + (v10 != live_seed[10]) + (v11 != live_seed[11]) +
           (v12 != live_seed[12]);
}

static void live_values_survive(void)
{
    for (int i = 0; i < kLive; ++i) live_seed[i] = 0x0101010101010101ull * (uint64_t)(i + 1);
    int changed = live_values_overwritten();
    char why[160];
    snprintf(why, sizeof why,
             "%d of %d values the compiler kept in registers across the asm were overwritten "
             "(syscall writes rcx and r11; the asm must declare every register it changes)",
             changed, kLive);
    verdict(changed == 0, "values live across the asm survive", why);
}

/* Writes 16 freshly stored bytes through write_by_hand into a pipe. */
__attribute__((noinline)) static ssize_t send_fresh_bytes(int fd)
{
    char buf[16];
    for (int i = 0; i < 15; ++i) buf[i] = (char)('a' + i);
    buf[15] = '\n';
    const char *p = buf;
    __asm__("" : "+r"(p));  /* an opaque copy of the address: the seed's "p" operand takes a register, not a stack slot */
    return write_by_hand(fd, p, sizeof buf);
}

static void stores_reach_the_kernel(void)
{
    int p[2];
    char got[16] = {0};
    int ok = pipe(p) == 0 && send_fresh_bytes(p[1]) == 16 && read(p[0], got, sizeof got) == 16 &&
             memcmp(got, "abcdefghijklmno\n", 16) == 0;
    verdict(ok, "the kernel reads the bytes stored just before the asm",
            "the compiler dropped or delayed the stores: the asm reads memory, so it needs a \"memory\" clobber");
    close(p[0]);
    close(p[1]);
}

static void returns_the_result(void)
{
    ssize_t r = write_by_hand(-1, "x", 1);
    verdict(r == -EBADF, "write_by_hand returns what the kernel put in rax (here -EBADF)",
            "the result is in rax after syscall: make it the output operand (\"=a\")");
}

int main(int argc, char **argv)
{
    live_values_survive();
    stores_reach_the_kernel();
    returns_the_result();
    fflush(stderr);
    return student_main(argc, argv);
}
