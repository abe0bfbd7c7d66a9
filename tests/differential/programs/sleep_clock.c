/* nanosleep for 10 ms; the monotonic clock advances by at least that much. */
#include <stdio.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec t0, t1, real, res;
    printf("clock_gettime monotonic: %d\n", clock_gettime(CLOCK_MONOTONIC, &t0));
    struct timespec ten_ms = {0, 10 * 1000 * 1000};
    printf("nanosleep: %d\n", nanosleep(&ten_ms, NULL));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("advanced: %s\n", ns(t1) > ns(t0) ? "yes" : "no");
    printf("advanced by at least 10 ms: %s\n", ns(t1) - ns(t0) >= 10000000 ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME, &real);
    printf("realtime after 2020: %s\n", real.tv_sec > 1577836800 ? "yes" : "no");
    printf("time() agrees with CLOCK_REALTIME: %s\n", time(NULL) - real.tv_sec <= 1 ? "yes" : "no");
    int rc = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres monotonic: %d, at most 1 ms: %s\n", rc, res.tv_sec == 0 && res.tv_nsec <= 1000000 ? "yes" : "no");
    struct timespec bad = {0, 1000000000};
    printf("nanosleep with tv_nsec = 1e9: %d\n", nanosleep(&bad, NULL));
    return 0;
}
