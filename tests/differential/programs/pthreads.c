/* Four threads add into a shared sum under a mutex; the main thread joins them. */
#include <pthread.h>
#include <stdio.h>

enum { kThreads = 4, kPerThread = 20000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long sum;

static void* work(void* arg) {
    long base = (long)arg;
    for (long i = 1; i <= kPerThread; ++i) {
        pthread_mutex_lock(&lock);
        sum += base * kPerThread + i;
        pthread_mutex_unlock(&lock);
    }
    return (void*)(base + 100);
}

int main(void) {
    pthread_t t[kThreads];
    int created = 0;
    for (long i = 0; i < kThreads; ++i) created += pthread_create(&t[i], NULL, work, (void*)i) == 0;
    printf("threads created: %d\n", created);
    long ret_sum = 0;
    for (int i = 0; i < created; ++i) {
        void* ret;
        pthread_join(t[i], &ret);
        ret_sum += (long)ret;
    }
    printf("sum: %lld (expected %lld)\n", sum, (long long)kThreads * kPerThread * (kThreads * kPerThread + 1) / 2);
    printf("return values: %ld\n", ret_sum);
    return 0;
}
