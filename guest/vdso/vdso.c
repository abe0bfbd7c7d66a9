/* A vDSO: clock reads that never leave ring 3. The kernel model publishes the
 * clocks in the [vvar] page at each system call and run slice; between two
 * publications the TSC (readable in ring 3, CR4.TSD clear) fills the gap. */
#include <stddef.h>
#include <stdint.h>
#include "vvar.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define NSEC_PER_SEC 1000000000LL
#define PAGE_SIZE 4096
#define NR_gettimeofday 96
#define NR_time 201
#define NR_clock_gettime 228
#define NR_getcpu 309

struct timespec64 { int64_t tv_sec, tv_nsec; };
struct timeval64 { int64_t tv_sec, tv_usec; };
struct timezone32 { int32_t minuteswest, dsttime; };

/* The ELF header is the first byte of the image; [vvar] lies just below it. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

static const volatile struct vvar_data *vvar(void) {
    return (const volatile struct vvar_data *)(__ehdr_start - VVAR_PAGES * PAGE_SIZE);
}

static long syscall2(long nr, long a, long b) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}


static int64_t since_publication(const volatile struct vvar_data *v) {
    if (v->clock_mode != VDSO_CLOCK_TSC) return 0;
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    uint64_t cycles = (((uint64_t)hi << 32) | lo) - v->tsc_base;
    if ((int64_t)cycles < 0) return 0;
    return (int64_t)(((unsigned __int128)cycles * v->mult) >> v->shift);
}

static int64_t read_ns(int wall) {
    const volatile struct vvar_data *v = vvar();
    int64_t base = wall ? v->realtime_ns : v->monotonic_ns;
    return base + since_publication(v);
}

int __vdso_clock_gettime(int clock, struct timespec64 *ts) {
    int wall = clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE;
    if (!wall && clock != CLOCK_MONOTONIC && clock != CLOCK_MONOTONIC_COARSE)
        return (int)syscall2(NR_clock_gettime, clock, (long)ts);  /* the kernel knows the rest */
    int64_t ns = read_ns(wall);
    ts->tv_sec = ns / NSEC_PER_SEC;
    ts->tv_nsec = ns % NSEC_PER_SEC;
    return 0;
}

int __vdso_gettimeofday(struct timeval64 *tv, struct timezone32 *tz) {
    if (tv) {
        int64_t ns = read_ns(1);
        tv->tv_sec = ns / NSEC_PER_SEC;
        tv->tv_usec = ns % NSEC_PER_SEC / 1000;
    }
    if (tz) tz->minuteswest = tz->dsttime = 0;  /* the model runs in UTC */
    return 0;
}

int64_t __vdso_time(int64_t *t) {
    int64_t s = read_ns(1) / NSEC_PER_SEC;
    if (t) *t = s;
    return s;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused) {
    (void)unused;
    if (cpu) *cpu = 0;  /* one CPU, one node */
    if (node) *node = 0;
    return 0;
}


/* Linux exports each function twice: __vdso_X and a weak X. */
int clock_gettime(int, struct timespec64 *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval64 *, struct timezone32 *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
