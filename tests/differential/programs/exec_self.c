/* fork + execve("/proc/self/exe") with a new argv; the child mode prints and exits 5. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("child mode: argc %d, argv[0] '%s', argv[1] '%s'\n", argc, argv[0], argv[1]);
        return 5;
    }
    printf("parent: starting\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char* child_argv[] = {"x", "child", NULL};
        execve("/proc/self/exe", child_argv, environ);
        perror("execve");
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent: child exited: %s, status %d\n", WIFEXITED(status) ? "yes" : "no", WEXITSTATUS(status));
    char* missing[] = {"nope", NULL};
    printf("execve of a missing file: %d\n", execve("./does-not-exist", missing, environ));
    perror("execve");
    return 0;
}
