/* proc-syscall, reference solution: catch a child blocked in read(2) and show
 * what /proc/<pid>/syscall says about it. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads /proc/<pid>/syscall into buf; returns its length, or -1. */
static ssize_t read_proc_syscall(pid_t pid, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n >= 0) buf[n] = '\0';
    return n;
}

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        char byte;
        close(fds[1]);
        ssize_t n = read(fds[0], &byte, 1);  /* blocks until the parent writes */
        _exit(n == 1 ? 0 : 1);
    }
    close(fds[0]);

    /* The child may not have reached its read yet: look until it has.
     * "0 " is read's number, the first field of the file. */
    char text[256];
    for (int tries = 0; tries < 1000; ++tries) {
        if (read_proc_syscall(child, text, sizeof text) > 0 && strncmp(text, "0 ", 2) == 0) break;
        sched_yield();
    }
    fputs(text, stdout);
    fflush(stdout);

    write(fds[1], "!", 1);  /* release the child */
    close(fds[1]);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
    return WEXITSTATUS(status);
}
