/* Regular files in the cwd: create, write, lseek, read back, fstat, rename, unlink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char kText[] = "hello, files\nsecond line\n";

int main(void) {
    long rc; /* a call's result, taken before strerror(errno) reads errno */
    int fd = open("data.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("open: %s\n", fd >= 0 ? "ok" : strerror(errno));
    printf("write: %zd\n", write(fd, kText, sizeof kText - 1));
    printf("lseek SEEK_SET 7: %ld\n", (long)lseek(fd, 7, SEEK_SET));
    char buf[64] = {0};
    printf("read 5: %zd '%s'\n", read(fd, buf, 5), buf);
    printf("lseek SEEK_CUR 0: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("lseek SEEK_END 0: %ld\n", (long)lseek(fd, 0, SEEK_END));
    printf("read at end: %zd\n", read(fd, buf, sizeof buf));
    printf("pwrite at 0: %zd\n", pwrite(fd, "HELLO", 5, 0));
    memset(buf, 0, sizeof buf);
    printf("pread 12 at 0: %zd '%.12s'\n", pread(fd, buf, 12, 0), buf);
    struct stat st;
    fstat(fd, &st);
    printf("fstat: size %ld regular %s mode %o\n", (long)st.st_size, S_ISREG(st.st_mode) ? "yes" : "no",
           (unsigned)(st.st_mode & 0777));
    printf("ftruncate 5: %d\n", ftruncate(fd, 5));
    fstat(fd, &st);
    printf("size after ftruncate: %ld\n", (long)st.st_size);
    printf("close: %d\n", close(fd));

    printf("rename: %d\n", rename("data.txt", "renamed.txt"));
    printf("old name gone: %s\n", access("data.txt", F_OK) != 0 && errno == ENOENT ? "yes" : "no");
    rc = stat("renamed.txt", &st);
    printf("stat new name: %ld size %ld\n", rc, (long)st.st_size);

    int app = open("log.txt", O_CREAT | O_WRONLY | O_APPEND, 0600);
    write(app, "one\n", 4);
    lseek(app, 0, SEEK_SET);
    write(app, "two\n", 4);  /* O_APPEND: still at the end */
    close(app);
    printf("unlink: %d\n", unlink("renamed.txt"));
    rc = unlink("renamed.txt");
    printf("unlink again: %ld %s\n", rc, strerror(errno));
    FILE* f = fopen("log.txt", "r");
    while (fgets(buf, sizeof buf, f)) printf("log: %s", buf);
    fclose(f);
    return 0;
}
