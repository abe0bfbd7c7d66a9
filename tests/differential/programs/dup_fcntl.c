/* dup2 stdout onto a file and back; fcntl's F_GETFD/F_SETFD/F_GETFL/F_SETFL/F_DUPFD. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    long rc; /* a call's result, taken before strerror(errno) reads errno */
    printf("before redirect\n");
    fflush(stdout);
    int saved = dup(1);
    printf("dup gives a new fd above 2: %s\n", saved > 2 ? "yes" : "no");
    fflush(stdout);
    int fd = open("redirected.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("dup2 onto stdout: %s\n", dup2(fd, 1) == 1 ? "ok" : "failed");
    printf("this line goes to the file\n");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    printf("after restore\n");

    char buf[128] = {0};
    pread(fd, buf, sizeof buf - 1, 0);
    printf("file holds: %s", buf);

    printf("F_GETFD: %d\n", fcntl(fd, F_GETFD));
    printf("F_SETFD FD_CLOEXEC: %d\n", fcntl(fd, F_SETFD, FD_CLOEXEC));
    printf("F_GETFD: %d\n", fcntl(fd, F_GETFD));
    int fl = fcntl(fd, F_GETFL);
    printf("F_GETFL access mode O_RDWR: %s, O_APPEND: %s\n", (fl & O_ACCMODE) == O_RDWR ? "yes" : "no",
           fl & O_APPEND ? "yes" : "no");
    printf("F_SETFL O_APPEND: %d\n", fcntl(fd, F_SETFL, fl | O_APPEND));
    printf("O_APPEND now: %s\n", fcntl(fd, F_GETFL) & O_APPEND ? "yes" : "no");
    lseek(fd, 0, SEEK_SET);
    write(fd, "appended\n", 9);
    struct stat st;
    fstat(fd, &st);
    printf("append went to the end: %s, size %ld\n", lseek(fd, 0, SEEK_CUR) == st.st_size ? "yes" : "no", (long)st.st_size);
    int high = fcntl(fd, F_DUPFD, 10);
    printf("F_DUPFD 10 gives at least 10: %s, F_GETFD of the copy: %d\n", high >= 10 ? "yes" : "no", fcntl(high, F_GETFD));
    int high_cloexec = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    printf("F_DUPFD_CLOEXEC 20 gives at least 20: %s, F_GETFD: %d\n", high_cloexec >= 20 ? "yes" : "no", fcntl(high_cloexec, F_GETFD));
    printf("stdout writable: %s\n", (fcntl(1, F_GETFL) & O_ACCMODE) != O_RDONLY ? "yes" : "no");
    printf("dup2 to itself: %d\n", dup2(fd, fd) == fd);
    rc = dup2(99, 5);
    printf("dup2 from a closed fd: %ld %s\n", rc, strerror(errno));
    rc = fcntl(99, F_GETFD);
    printf("F_GETFD on a closed fd: %ld %s\n", rc, strerror(errno));
    return 0;
}
