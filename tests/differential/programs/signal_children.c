/* Signals between processes: children waiting in pause() get SIGTERM (default
 * action: the wait ends and the child dies), SIGKILL (dies inside the call) and
 * SIGUSR1 (its handler runs and pause returns EINTR); the parent reaps each. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int signo) { (void)signo; }

static void send_and_reap(const char* what, int sig) {
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int r = pause();
        _exit(r == -1 && errno == EINTR ? 3 : 4);
    }
    usleep(100000); /* the child is in pause() by then */
    kill(child, sig);
    int status = 0;
    pid_t got = waitpid(child, &status, 0);
    printf("%s: reaped %s, ", what, got == child ? "it" : "another");
    if (WIFSIGNALED(status)) printf("killed by signal %d\n", WTERMSIG(status));
    else printf("exited with %d\n", WEXITSTATUS(status));
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    send_and_reap("SIGTERM", SIGTERM);
    send_and_reap("SIGKILL", SIGKILL);
    send_and_reap("SIGUSR1", SIGUSR1);
    return 0;
}
