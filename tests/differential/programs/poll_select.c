/* poll, ppoll, select and pselect6 over pipes, /dev/null and a regular file:
 * readiness, timeouts, a wait that another process ends, POLLHUP, POLLNVAL,
 * EBADF, and ppoll's temporary signal mask. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

static void show_poll(const char *what, int rc, struct pollfd *f, int n) {
    printf("%s: %d", what, rc);
    for (int i = 0; i < n; i++) printf(" [fd%d %#x]", i, f[i].revents);
    printf("\n");
}

int main(void) {
    int p[2];
    pipe(p);
    int null_fd = open("/dev/null", O_RDWR);
    int file_fd = open("poll_file", O_RDWR | O_CREAT | O_TRUNC, 0644);

    struct pollfd f[5] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {null_fd, POLLIN | POLLOUT, 0},
                          {file_fd, POLLIN, 0}, {-1, POLLIN, 0}};
    show_poll("poll empty pipe", poll(f, 5, 0), f, 5);
    long long t0 = now_ms();
    show_poll("poll timeout", poll(f, 1, 30), f, 1);
    printf("waited at least 30 ms: %s\n", now_ms() - t0 >= 30 ? "yes" : "no");

    write(p[1], "x", 1);
    show_poll("poll readable", poll(f, 2, -1), f, 2);
    struct pollfd bad = {99, POLLIN, 0};
    show_poll("poll closed fd", poll(&bad, 1, 0), &bad, 1);
    int rc = (int)syscall(SYS_poll, 16, 1, 0);
    printf("poll EFAULT: %d %s\n", rc, strerror(errno));
    rc = (int)syscall(SYS_poll, f, 1 << 20, 0);
    printf("poll EINVAL: %d %s\n", rc, strerror(errno));

    /* A child writes after a pause: the parent's infinite poll waits for it. */
    char c;
    read(p[0], &c, 1);
    pid_t child = fork();
    if (child == 0) {
        struct timespec d = {0, 20 * 1000 * 1000};
        nanosleep(&d, NULL);
        write(p[1], "y", 1);
        _exit(0);
    }
    show_poll("poll woken by child", poll(f, 1, -1), f, 1);
    waitpid(child, NULL, 0);
    read(p[0], &c, 1);

    struct timespec ts = {0, 10 * 1000 * 1000};
    show_poll("ppoll timeout", ppoll(f, 1, &ts, NULL), f, 1);
    printf("ppoll left: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);

    /* SIGUSR1 blocked and pending; ppoll's mask unblocks it: the handler runs, EINTR. */
    signal(SIGUSR1, on_usr1);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);
    errno = 0;
    rc = ppoll(f, 1, NULL, &empty);
    printf("ppoll with a pending signal: %d %s, handler ran: %d\n", rc, strerror(errno), got_usr1);
    sigset_t after;
    sigprocmask(SIG_SETMASK, NULL, &after);
    printf("mask restored: %s\n", sigismember(&after, SIGUSR1) ? "yes" : "no");

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    FD_SET(null_fd, &r);
    struct timeval tv = {0, 5000};
    rc = select(file_fd + 1, &r, &w, NULL, &tv);
    printf("select: %d in(p0)=%d in(null)=%d out(p1)=%d\n", rc, FD_ISSET(p[0], &r), FD_ISSET(null_fd, &r),
           FD_ISSET(p[1], &w));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 10000;
    t0 = now_ms();
    rc = (int)syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv);
    printf("select timeout: %d, left %ld.%06ld, waited 10 ms: %s\n", rc, (long)tv.tv_sec, (long)tv.tv_usec,
           now_ms() - t0 >= 10 ? "yes" : "no");
    FD_ZERO(&r);
    FD_SET(40, &r);
    rc = select(41, &r, NULL, NULL, NULL);
    printf("select EBADF: %d %s\n", rc, strerror(errno));
    rc = select(-1, NULL, NULL, NULL, NULL);
    printf("select EINVAL: %d %s\n", rc, strerror(errno));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    write(p[1], "z", 1);
    ts.tv_sec = 1;
    ts.tv_nsec = 0;
    rc = pselect(p[0] + 1, &r, NULL, NULL, &ts, &empty);
    printf("pselect: %d in=%d\n", rc, FD_ISSET(p[0], &r));

    close(p[0]);
    f[1].revents = 0;
    show_poll("poll write end, reader gone", poll(&f[1], 1, 0), &f[1], 1);
    int q[2];
    pipe(q);
    close(q[1]);
    struct pollfd h = {q[0], POLLIN, 0};
    show_poll("poll read end, writer gone", poll(&h, 1, -1), &h, 1);
    unlink("poll_file");
    return 0;
}
