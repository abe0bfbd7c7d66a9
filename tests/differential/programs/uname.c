/* uname: only the fields that must match on any Linux x86-64 host. */
#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
    struct utsname u;
    printf("uname: %d\n", uname(&u));
    printf("sysname: %s\n", u.sysname);
    printf("machine: %s\n", u.machine);
    return 0;
}
