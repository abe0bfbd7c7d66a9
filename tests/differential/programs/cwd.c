/* The working directory: getcwd, chdir("/"), chdir into a new directory, fchdir back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    long rc; /* a call's result, taken before strerror(errno) reads errno */
    char buf[4096];
    printf("getcwd is absolute: %s\n", getcwd(buf, sizeof buf) && buf[0] == '/' ? "yes" : "no");
    int start = open(".", O_RDONLY | O_DIRECTORY);
    printf("mkdir here: %d\n", mkdir("here", 0755));
    printf("chdir here: %d\n", chdir("here"));
    char* cwd = getcwd(buf, sizeof buf);
    printf("getcwd ends with /here: %s\n", cwd && strlen(cwd) >= 5 && strcmp(cwd + strlen(cwd) - 5, "/here") == 0 ? "yes" : "no");
    close(open("made-in-here", O_CREAT | O_WRONLY, 0644));
    printf("fchdir back: %d\n", fchdir(start));
    printf("file landed in here/: %s\n", access("here/made-in-here", F_OK) == 0 ? "yes" : "no");
    printf("chdir /: %d\n", chdir("/"));
    printf("getcwd: %s\n", getcwd(buf, sizeof buf));
    printf("chdir ..: %d\n", chdir(".."));
    printf("getcwd after .. at /: %s\n", getcwd(buf, sizeof buf));
    printf("getcwd into a 1-byte buffer: %s\n", getcwd(buf, 1) == NULL ? strerror(errno) : "fits");
    rc = chdir("/no/such/dir");
    printf("chdir to a missing dir: %ld %s\n", rc, strerror(errno));
    return 0;
}
