// static_helper.c - a tiny statically linked program for hostile_exec_static:
// no dynamic loader runs for it, so LD_PRELOAD=libdept.so cannot be loaded
// into it (and must not stop it from running). It prints its arguments and
// exits with the status given as its first argument.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("static helper:");
    for (int i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);
    return argc > 1 ? atoi(argv[1]) : 0;
}
