/* The [vvar] data page, shared by the kernel model (which writes it) and the
 * vDSO (which only reads it). Included by C and C++. */
#ifndef SYSENTRY_VVAR_H
#define SYSENTRY_VVAR_H
#include <stdint.h>

#define VVAR_PAGES 4          /* Linux 6.x: vvar, pvclock, hvclock, timens */
#define VDSO_CLOCK_FROZEN 0   /* no counter: the values as last published */
#define VDSO_CLOCK_TSC 1      /* add (rdtsc - tsc_base) * mult >> shift */

struct vvar_data {
    uint32_t clock_mode;
    uint32_t shift;
    uint64_t mult;
    uint64_t tsc_base;
    int64_t monotonic_ns;     /* both clocks at tsc_base */
    int64_t realtime_ns;
};
#endif
