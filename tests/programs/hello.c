/* hello [args...] — the smallest libc program: printf through stdio, argv, exit status 0.
 * Built twice: hello_musl (musl-gcc -static) and hello_glibc (gcc -static), so the kernel sees
 * each libc's start-up system calls (glibc's are listed in ../../../shared/notes/linux-baseline.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("hello from %s\n",
#ifdef __GLIBC__
           "glibc"
#else
           "musl"
#endif
    );
    for (int i = 1; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
    char *p = malloc(100);
    if (!p) {
        printf("FAIL: malloc(100) returned NULL\n");
        return 1;
    }
    strcpy(p, "heap works");
    printf("%s\n", p);
    free(p);
    return 0;
}
