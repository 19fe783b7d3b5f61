/* file_advice — fadvise64 (coreutils' sort asks for POSIX_FADV_SEQUENTIAL) with Linux 6.1's
 * answers: 0 for known advice on a file (argv[0]), EBADF for a closed descriptor, ESPIPE for a
 * pipe, EINVAL for unknown advice and for a negative length. Status 0. */
#include "rt.h"
#include "proc.h"

#define NR_open 2
#define NR_fadvise64 221
#define ESPIPE_ 29

static long fadvise(long fd, long offset, long len, long advice)
{
    return sys4(NR_fadvise64, fd, offset, len, advice);
}

int main(int argc, char **argv)
{
    (void)argc;
    long fd = sys3(NR_open, argv[0], 0, 0);
    if (!expect_ok(fd, "open(argv[0])")) return finish("file_advice");
    for (long advice = 0; advice <= 5; advice++)
        expect(fadvise(fd, 0, 0, advice), 0, "known advice on a file");
    expect(fadvise(fd, 4096, 100, 2), 0, "POSIX_FADV_SEQUENTIAL of a range");
    expect(fadvise(fd, 0, 0, 6), -EINVAL, "unknown advice: EINVAL");
    expect(fadvise(fd, 0, -1, 0), -EINVAL, "a negative length: EINVAL");
    expect(fadvise(99, 0, 0, 0), -EBADF, "a closed descriptor: EBADF");
    int pipe[2];
    if (expect_ok(sys_pipe2(pipe, 0), "pipe2"))
        expect(fadvise(pipe[0], 0, 0, 0), -ESPIPE_, "a pipe: ESPIPE");
    say("file_advice: fadvise64 answers as Linux's");
    return finish("file_advice");
}
