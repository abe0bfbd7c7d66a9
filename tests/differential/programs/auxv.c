/* The auxiliary vector as libc reads it. */
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(void) {
    printf("AT_PAGESZ: %lu\n", getauxval(AT_PAGESZ));
    printf("sysconf(_SC_PAGESIZE): %ld\n", sysconf(_SC_PAGESIZE));
    printf("AT_PHNUM > 0: %s\n", getauxval(AT_PHNUM) > 0 ? "yes" : "no");
    printf("AT_PHENT: %lu\n", getauxval(AT_PHENT));
    printf("AT_PHDR non-zero: %s\n", getauxval(AT_PHDR) ? "yes" : "no");
    printf("AT_ENTRY non-zero: %s\n", getauxval(AT_ENTRY) ? "yes" : "no");
    printf("AT_RANDOM non-NULL: %s\n", getauxval(AT_RANDOM) ? "yes" : "no");
    printf("AT_UID matches getuid: %s\n", getauxval(AT_UID) == getuid() ? "yes" : "no");
    printf("AT_EGID matches getegid: %s\n", getauxval(AT_EGID) == getegid() ? "yes" : "no");
    printf("AT_SECURE: %lu\n", getauxval(AT_SECURE));
    printf("AT_EXECFN non-NULL: %s\n", getauxval(AT_EXECFN) ? "yes" : "no");
    printf("AT_CLKTCK: %lu\n", getauxval(AT_CLKTCK));
    return 0;
}
