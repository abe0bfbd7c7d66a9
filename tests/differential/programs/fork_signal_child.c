/* Children that die by signals: raise(SIGSEGV), a real fault, and SIGKILL from the parent. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char* what, pid_t pid) {
    int status = 0;
    pid_t got = waitpid(pid, &status, 0);
    printf("%s: waited for it: %s, WIFSIGNALED: %s, WTERMSIG: %d (%s)\n", what, got == pid ? "yes" : "no",
           WIFSIGNALED(status) ? "yes" : "no", WIFSIGNALED(status) ? WTERMSIG(status) : -1,
           WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? "SIGSEGV"
           : WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? "SIGKILL" : "other");
}

int main(void) {
    fflush(stdout);
    pid_t a = fork();
    if (a == 0) {
        raise(SIGSEGV);
        _exit(1);
    }
    report("raise(SIGSEGV)", a);

    fflush(stdout);
    pid_t b = fork();
    if (b == 0) {
        volatile int* volatile bad = (volatile int*)16;
        *bad = 1; /* a real page fault */
        _exit(1);
    }
    report("store to address 16", b);

    int ready[2];
    pipe(ready);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        close(ready[0]);
        write(ready[1], "r", 1);
        for (;;) pause();
    }
    close(ready[1]);
    char r;
    read(ready[0], &r, 1);  /* the child is running */
    printf("kill: %d\n", kill(c, SIGKILL));
    report("SIGKILL from the parent", c);
    return 0;
}
