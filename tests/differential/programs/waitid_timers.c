/* waitid (P_PID, P_PGID, P_ALL; WEXITED, WNOHANG, WNOWAIT), alarm, setitimer
 * and getitimer with SIGALRM handlers and its default action, copy_file_range,
 * and the error a program sees when it asks for a socket. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static void report(const char *what, long rc) { printf("%s: %ld %s\n", what, rc, rc < 0 ? strerror(errno) : "ok"); }

static void show(const char *what, int rc, const siginfo_t *si) {
    printf("%s: %d signo=%d code=%d pid_ok=%d status=%d\n", what, rc, si->si_signo, si->si_code,
           si->si_pid > 0, si->si_status);
}

int main(void) {
    siginfo_t si;
    pid_t a = fork();
    if (a == 0) _exit(7);
    memset(&si, 0, sizeof si);
    show("waitid P_PID WNOWAIT", waitid(P_PID, a, &si, WEXITED | WNOWAIT), &si);
    printf("same pid: %d\n", si.si_pid == a);
    memset(&si, 0, sizeof si);
    show("waitid P_ALL", waitid(P_ALL, 0, &si, WEXITED), &si);
    report("waitid no children", waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
    report("waitid no event type", waitid(P_ALL, 0, &si, WNOHANG));

    pid_t b = fork();
    if (b == 0) {
        pause();
        _exit(0);
    }
    memset(&si, 0xff, sizeof si);
    show("waitid P_PGID WNOHANG, child alive", waitid(P_PGID, 0, &si, WEXITED | WNOHANG), &si);
    kill(b, SIGTERM);
    show("waitid P_PID killed", waitid(P_PID, b, &si, WEXITED), &si);

    /* SIGALRM's default action ends a child. */
    pid_t c = fork();
    if (c == 0) {
        alarm(1);
        for (;;) pause();
    }
    show("waitid child killed by alarm", waitid(P_PID, c, &si, WEXITED), &si);

    signal(SIGALRM, on_alarm);
    printf("alarm(5): %u\n", alarm(5));
    printf("alarm(0) left: %u\n", alarm(0));
    struct itimerval v = {{0, 20000}, {0, 20000}}, old;
    printf("setitimer: %d\n", setitimer(ITIMER_REAL, &v, &old));
    printf("old value: %ld.%06ld\n", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);
    while (alarms < 3) pause();
    printf("interval timer fired 3 times\n");
    struct itimerval now;
    getitimer(ITIMER_REAL, &now);
    printf("interval kept: %ld, value running: %d\n", (long)now.it_interval.tv_usec,
           now.it_value.tv_sec == 0 && now.it_value.tv_usec <= 20000);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    getitimer(ITIMER_REAL, &now);
    printf("disarmed: %ld %ld\n", (long)now.it_value.tv_sec, (long)now.it_value.tv_usec);
    report("setitimer bad which", setitimer(7, &v, NULL));

    /* An alarm interrupts a blocking read on an empty pipe. */
    int p[2];
    pipe(p);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    char ch;
    report("read interrupted", read(p[0], &ch, 1));

    int in = open("cfr_in", O_RDWR | O_CREAT | O_TRUNC, 0644), out = open("cfr_out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(in, "0123456789abcdefghij", 20);
    loff_t off_in = 5;
    ssize_t n = copy_file_range(in, &off_in, out, NULL, 8, 0);
    printf("copy_file_range: %zd, off_in now %lld\n", n, (long long)off_in);
    char buf[32] = {0};
    pread(out, buf, sizeof buf - 1, 0);
    printf("copied: %s\n", buf);
    report("copy_file_range flags", copy_file_range(in, NULL, out, NULL, 1, 1));
    report("copy_file_range EBADF", copy_file_range(in, NULL, 77, NULL, 1, 0));
    unlink("cfr_in");
    unlink("cfr_out");

    report("connect on a file", connect(in, NULL, 0));
    report("connect on a closed fd", connect(90, NULL, 0));
    return 0;
}
