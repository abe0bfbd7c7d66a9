/* Links: symlink, readlink, link, and lstat against stat. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    long rc; /* a call's result, taken before strerror(errno) reads errno */
    int fd = open("target.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "target contents\n", 16);
    close(fd);

    printf("symlink: %d\n", symlink("target.txt", "sym"));
    char buf[256];
    ssize_t n = readlink("sym", buf, sizeof buf);
    printf("readlink: %zd '%.*s'\n", n, (int)(n > 0 ? n : 0), buf);
    rc = readlink("target.txt", buf, sizeof buf);
    printf("readlink on a file: %ld %s\n", rc, strerror(errno));
    printf("link: %d\n", link("target.txt", "hard"));

    struct stat target, via_sym, of_sym, hard;
    stat("target.txt", &target);
    stat("sym", &via_sym);
    lstat("sym", &of_sym);
    stat("hard", &hard);
    printf("target nlink: %lu\n", (unsigned long)target.st_nlink);
    printf("stat(sym) is regular: %s, same inode as target: %s\n", S_ISREG(via_sym.st_mode) ? "yes" : "no",
           via_sym.st_ino == target.st_ino ? "yes" : "no");
    printf("lstat(sym) is a link: %s, size %ld\n", S_ISLNK(of_sym.st_mode) ? "yes" : "no", (long)of_sym.st_size);
    printf("hard link same inode: %s, size %ld\n", hard.st_ino == target.st_ino ? "yes" : "no", (long)hard.st_size);

    printf("dangling symlink: %d\n", symlink("missing", "dangling"));
    rc = stat("dangling", &of_sym);
    printf("stat(dangling): %ld %s\n", rc, strerror(errno));
    printf("lstat(dangling): %d\n", lstat("dangling", &of_sym));
    rc = symlink("x", "sym");
    printf("symlink over existing: %ld %s\n", rc, strerror(errno));

    fd = open("sym", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    printf("read through sym: %zd '%.*s'\n", n, (int)(n > 1 ? n - 1 : 0), buf);
    close(fd);
    printf("unlink target: %d\n", unlink("target.txt"));
    rc = stat("sym", &via_sym);
    printf("stat(sym) after: %ld %s\n", rc, strerror(errno));
    stat("hard", &hard);
    printf("hard link survives, nlink %lu\n", (unsigned long)hard.st_nlink);
    return 0;
}
