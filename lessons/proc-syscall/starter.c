/* proc-syscall: catch a child blocked in read(2) and print what
 * /proc/<pid>/syscall says about it.
 *
 * The child is written: it blocks reading one byte from a pipe. Write the
 * parent's part (the TODOs). Expected output, one line, e.g.
 *     0 0x3 0x7fffffffeb30 0x1 0x4af380 0x0 0x4adaa0 0x7fffffffead8 0x43177d
 * then the parent releases the child, waits for it, and exits 0. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

    /* TODO: build the path "/proc/<child>/syscall" (snprintf) */
    /* TODO: read that file until it starts with "0 " - the child may not be
     *       blocked in its read yet (then the file says "running"); call
     *       sched_yield() between tries so the child can get there */
    /* TODO: print what the file says, as it is, on standard output */

    write(fds[1], "!", 1);  /* release the child */
    close(fds[1]);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
    return WEXITSTATUS(status);
}
