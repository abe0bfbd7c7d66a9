/* Signal handlers: sigaction + raise, SA_SIGINFO, SIG_IGN, and blocking with sigprocmask. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count, last_signo, info_code_is_user;

static void on_usr1(int signo) {
    ++usr1_count;
    last_signo = signo;
}

static void on_usr2_info(int signo, siginfo_t* info, void* context) {
    (void)context;
    last_signo = signo;
    info_code_is_user = info->si_signo == SIGUSR2 && (info->si_code == SI_TKILL || info->si_code == SI_USER);
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    printf("sigaction SIGUSR1: %d\n", sigaction(SIGUSR1, &sa, NULL));
    printf("raise: %d\n", raise(SIGUSR1));
    printf("handler ran: %s (count %d, signo %d)\n", usr1_count == 1 ? "yes" : "no", (int)usr1_count, (int)last_signo);

    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    printf("sigaction reads back the handler: %s\n", old.sa_handler == on_usr1 ? "yes" : "no");

    sigset_t block, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    printf("sigprocmask block: %d\n", sigprocmask(SIG_BLOCK, &block, NULL));
    raise(SIGUSR1);
    printf("blocked, handler ran: %s\n", usr1_count == 2 ? "yes" : "no");
    sigpending(&pending);
    printf("pending: %s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no");
    printf("sigprocmask unblock: %d\n", sigprocmask(SIG_UNBLOCK, &block, NULL));
    printf("after unblock, handler ran: %s\n", usr1_count == 2 ? "yes" : "no");
    sigpending(&pending);
    printf("pending now: %s\n", sigismember(&pending, SIGUSR1) ? "yes" : "no");

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr2_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    kill(getpid(), SIGUSR2);
    printf("SA_SIGINFO handler: signo %d, si_signo and si_code as expected: %s\n", (int)last_signo,
           info_code_is_user ? "yes" : "no");

    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored SIGUSR2, still running: yes\n");
    printf("sigaction on SIGKILL: %d\n", sigaction(SIGKILL, &sa, NULL));
    return 0;
}
