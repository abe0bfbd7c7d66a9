/* argc, argv[1..] and the environment the test sets (argv[0] is the caller's path, so not printed). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv, char** envp) {
    printf("argc: %d\n", argc);
    for (int i = 1; i < argc; ++i) printf("argv[%d]: [%s]\n", i, argv[i]);
    printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    const char* var = getenv("SYSENTRY_DIFF_VAR");
    printf("SYSENTRY_DIFF_VAR: %s\n", var ? var : "(unset)");
    printf("SYSENTRY_DIFF_UNSET: %s\n", getenv("SYSENTRY_DIFF_UNSET") ? "set" : "(unset)");
    int found = 0;
    for (char** e = envp; var && *e; ++e) found |= *e + sizeof "SYSENTRY_DIFF_VAR" == var;
    printf("envp holds it: %s\n", found ? "yes" : "no");
    setenv("SYSENTRY_DIFF_NEW", "made here", 1);
    printf("setenv then getenv: %s\n", getenv("SYSENTRY_DIFF_NEW"));
    return argc;
}
