/* fork: the child writes into a pipe and exits 7; the parent reads to EOF and waits. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int fds[2];
    printf("pipe: %d\n", pipe(fds));
    fflush(stdout);  /* the child must not inherit unflushed output */
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const char msg[] = "hello from the child\n";
        for (int i = 0; i < 3; ++i) write(fds[1], msg, sizeof msg - 1);
        _exit(7);
    }
    printf("fork returned a positive pid: %s\n", pid > 0 ? "yes" : "no");
    close(fds[1]);
    char buf[256];
    size_t total = 0;
    ssize_t n;
    while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0) total += (size_t)n;
    buf[total] = 0;
    printf("read %zu bytes:\n%s", total, buf);
    int status = 0;
    pid_t waited = waitpid(pid, &status, 0);
    printf("waitpid returned the child's pid: %s\n", waited == pid ? "yes" : "no");
    printf("WIFEXITED: %s, WEXITSTATUS: %d\n", WIFEXITED(status) ? "yes" : "no", WEXITSTATUS(status));
    printf("second wait: %d (no children)\n", (int)wait(&status));
    return 0;
}
