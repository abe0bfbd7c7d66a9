/* Directories: mkdir, readdir (sorted), rmdir, getcwd and chdir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int by_name(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

static void list(const char* path) {
    DIR* d = opendir(path);
    if (!d) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char* names[64];
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    printf("%s:", path);
    for (int i = 0; i < n; ++i) printf(" %s", names[i]), free(names[i]);
    printf("\n");
}

static void touch(const char* path) { close(open(path, O_CREAT | O_WRONLY, 0644)); }

static int ends_with(const char* s, const char* tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

int main(void) {
    long rc; /* a call's result, taken before strerror(errno) reads errno */
    printf("mkdir d: %d\n", mkdir("d", 0755));
    rc = mkdir("d", 0755);
    printf("mkdir d again: %ld %s\n", rc, strerror(errno));
    printf("mkdir d/sub: %d\n", mkdir("d/sub", 0700));
    touch("d/b");
    touch("d/a");
    touch("d/c");
    list("d");
    struct stat st;
    stat("d/sub", &st);
    printf("d/sub is a directory: %s mode %o\n", S_ISDIR(st.st_mode) ? "yes" : "no", (unsigned)(st.st_mode & 0777));
    rc = rmdir("d");
    printf("rmdir d (not empty): %ld %s\n", rc, strerror(errno));
    printf("rmdir d/sub: %d\n", rmdir("d/sub"));
    rc = rmdir("d/a");
    printf("rmdir d/a (a file): %ld %s\n", rc, strerror(errno));
    list("d");

    char cwd[4096];
    printf("chdir d: %d\n", chdir("d"));
    printf("getcwd ends with /d: %s\n", getcwd(cwd, sizeof cwd) && ends_with(cwd, "/d") ? "yes" : "no");
    list(".");
    printf("chdir ..: %d\n", chdir(".."));
    printf("getcwd ends with /d now: %s\n", getcwd(cwd, sizeof cwd) && ends_with(cwd, "/d") ? "yes" : "no");
    printf("mkdir -p style e/f: %d %d\n", mkdir("e", 0755), mkdir("e/f", 0755));
    list("e");
    return 0;
}
