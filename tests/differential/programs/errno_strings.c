/* Failing calls: errno values and libc's strings for them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char* what, int rc) {
    int e = errno;
#ifdef __GLIBC__
    const char* name = strerrorname_np(e);
#else
    const char* name = "-";
#endif
    printf("%s: rc %d errno %d %s (%s)\n", what, rc, rc < 0 ? e : 0, rc < 0 ? name : "-", rc < 0 ? strerror(e) : "-");
}

int main(void) {
    errno = 0;
    show("open missing", open("missing-file", O_RDONLY));
    perror("open missing-file");
    mkdir("dir", 0755);
    close(open("dir/file", O_CREAT | O_WRONLY, 0644));
    show("mkdir existing", mkdir("dir", 0755));
    show("rmdir non-empty", rmdir("dir"));
    show("open dir for writing", open("dir", O_WRONLY));
    show("close 99", close(99));
    show("chdir to a file", chdir("dir/file"));
    show("open file/child", open("dir/file/child", O_RDONLY));
    show("unlink a dir", unlink("dir"));
    show("O_CREAT|O_EXCL existing", open("dir/file", O_CREAT | O_EXCL | O_WRONLY, 0644));
    int wo = open("dir/file", O_WRONLY);
    char c;
    show("read from write-only", (int)read(wo, &c, 1));
    show("lseek with whence 42", (int)lseek(wo, 0, 42));
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = 0;
    show("open a 299-byte name", open(name, O_RDONLY));
    show("rename into itself", rename("dir", "dir/inner"));
    fprintf(stderr, "strerror(0): %s\n", strerror(0));
    return 0;
}
