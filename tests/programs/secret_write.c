/* secret_write [MiB] — fills MiB (default 32) of fresh mmap memory and 4 MiB of brk heap with a
 * secret pattern, checks it is there, and exits without unmapping anything: the kernel must take
 * the frames back. Run secret_check next: none of its fresh pages may contain the pattern. */
#include "secret.h"

int main(int argc, char **argv)
{
    unsigned long len = rt_parse(argc > 1 ? argv[1] : 0, 32) * MiB;
    long m = map_anon(len, RW);
    if (!expect_ok(m, "mmap of the secret region")) return finish("secret_write");
    sys_madvise((unsigned long)m, len, MADV_NOHUGEPAGE);
    plant((volatile unsigned char *)m, len);

    unsigned long start = (unsigned long)sys_brk(0), heap = (start + PAGE - 1) & ~(PAGE - 1);
    unsigned long heap_len = 4 * MiB;
    expect(sys_brk(heap + heap_len), (long)(heap + heap_len), "brk grows by 4 MiB");
    plant((volatile unsigned char *)heap, heap_len);

    unsigned long copies = 0, nonzero = 0;
    scan((volatile unsigned char *)m, len, &copies, &nonzero);
    check(copies == len / 16, "the mmap region holds the secret");
    copies = nonzero = 0;
    scan((volatile unsigned char *)heap, heap_len, &copies, &nonzero);
    check(copies == heap_len / 16, "the heap holds the secret");
    say("secret_write: planted %lu MiB of secret, exiting without cleaning up", (len + heap_len) / MiB);
    return finish("secret_write");
}
