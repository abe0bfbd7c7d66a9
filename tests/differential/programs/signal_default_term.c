/* The default action of SIGTERM kills the process: the status is 128 + 15. */
#include <signal.h>
#include <stdio.h>

int main(void) {
    printf("before raise\n");
    fflush(stdout);
    raise(SIGTERM);
    printf("after raise: not reached\n");
    return 0;
}
