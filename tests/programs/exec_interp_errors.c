/* exec_interp_errors PROGRAM... — execve each PROGRAM (dynamically linked programs whose
 * PT_INTERP names a missing file, a text file shorter than an ELF header, a longer one, an
 * interpreter without execute permission) and print the errno execve answers: Linux's are
 * ENOENT, EIO, ELIBBAD and EACCES. Built static (musl), run
 * in a --root tree by tests/system/test_debian_dynamic.py on our kernel and on Linux. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *args[] = { argv[i], NULL };
        char *env[] = { NULL };
        execve(argv[i], args, env);
        int error = errno;
        printf("%s: errno %d\n", argv[i], error);
    }
    return 0;
}
