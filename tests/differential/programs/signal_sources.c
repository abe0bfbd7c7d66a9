/* Where signals come from and when they arrive: kill, tgkill (raise), tkill,
 * sigqueue, alarm and SIGPIPE to an SA_SIGINFO handler; an ignored and a
 * default-ignored signal; one blocked until sigprocmask unblocks it; and last a
 * blocked SIGUSR2 whose default action ends the process once unblocked. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t last_signo, last_code, from_self, last_int, count;

static void on_signal(int signo, siginfo_t* info, void* context) {
    (void)context;
    ++count;
    last_signo = signo;
    last_code = info->si_code;
    from_self = info->si_pid == getpid();
    last_int = info->si_code == SI_QUEUE ? info->si_value.sival_int : 0;
}

static void report(const char* what) {
    printf("%s: handler ran %d time(s), signo %d, si_code %d, from self %s, value %d\n", what, (int)count,
           (int)last_signo, (int)last_code, last_code == SI_KERNEL ? "-" : from_self ? "yes" : "no", (int)last_int);
    count = last_signo = last_code = from_self = last_int = 0;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);

    kill(getpid(), SIGUSR1);
    report("kill");
    raise(SIGUSR1);
    report("raise");
    syscall(SYS_tkill, (int)syscall(SYS_gettid), SIGUSR1);
    report("tkill");
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 42});
    report("sigqueue");

    alarm(1);
    pause();
    report("alarm");

    int fds[2];
    pipe(fds);
    close(fds[0]);
    ssize_t n = write(fds[1], "x", 1);
    report("write to a pipe without readers");
    printf("write returned %zd\n", n);

    signal(SIGUSR2, SIG_IGN);
    kill(getpid(), SIGUSR2);
    printf("ignored SIGUSR2: still running\n");
    kill(getpid(), SIGWINCH);
    printf("SIGWINCH, ignored by default: still running\n");

    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    sigpending(&pending);
    printf("blocked SIGUSR1 pending: %s, handler ran: %d\n", sigismember(&pending, SIGUSR1) ? "yes" : "no",
           (int)count);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    report("after unblocking");

    signal(SIGUSR2, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    printf("blocked SIGUSR2 with its default action: still running\n");
    fflush(stdout);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("not reached\n");
    return 0;
}
