/* secret_check [MiB] — fresh memory never shows anybody's old data.
 *
 * 1. Maps MiB (default 64) of fresh memory and 4 MiB of brk heap: every byte must be zero, and
 *    the secret of secret_write (run just before, as another process) must appear nowhere.
 * 2. Within this process: plants the secret in 16 MiB, unmaps it, maps 16 MiB again — the new
 *    pages are zero (frames freed by munmap come back zeroed); plants it again, drops it with
 *    MADV_DONTNEED — the pages read zero; shrinks the heap over planted pages and regrows it — zero. */
#include "secret.h"

int main(int argc, char **argv)
{
    unsigned long len = rt_parse(argc > 1 ? argv[1] : 0, 64) * MiB;
    unsigned long copies = 0, nonzero = 0;

    long m = map_anon(len, RW);
    if (!expect_ok(m, "mmap of the fresh region")) return finish("secret_check");
    sys_madvise((unsigned long)m, len, MADV_NOHUGEPAGE);
    /* Write one byte per page first, so each page really gets a frame of its own (a read alone
     * may be served by a shared zero page). */
    for (unsigned long i = 0; i < len; i += PAGE) ((volatile unsigned char *)m)[i + 8] = 0;
    scan((volatile unsigned char *)m, len, &copies, &nonzero);
    say("secret_check: fresh mmap: %lu MiB, %lu secret copies, %lu non-zero bytes", len / MiB, copies, nonzero);
    check(copies == 0 && nonzero == 0, "fresh mmap pages are all zero, no secret");
    sys_munmap((unsigned long)m, len);

    unsigned long start = (unsigned long)sys_brk(0), heap = (start + PAGE - 1) & ~(PAGE - 1);
    unsigned long heap_len = 4 * MiB;
    expect(sys_brk(heap + heap_len), (long)(heap + heap_len), "brk grows by 4 MiB");
    for (unsigned long i = 0; i < heap_len; i += PAGE) ((volatile unsigned char *)heap)[i + 8] = 0;
    copies = nonzero = 0;
    scan((volatile unsigned char *)heap, heap_len, &copies, &nonzero);
    check(copies == 0 && nonzero == 0, "fresh heap pages are all zero, no secret");

    /* Reuse within the process. */
    unsigned long small = 16 * MiB;
    long a = map_anon(small, RW);
    if (!expect_ok(a, "mmap 16 MiB")) return finish("secret_check");
    plant((volatile unsigned char *)a, small);
    expect(sys_munmap((unsigned long)a, small), 0, "munmap the planted region");
    long b = map_anon(small, RW);
    if (!expect_ok(b, "mmap 16 MiB again")) return finish("secret_check");
    for (unsigned long i = 0; i < small; i += PAGE) ((volatile unsigned char *)b)[i + 8] = 0;
    copies = nonzero = 0;
    scan((volatile unsigned char *)b, small, &copies, &nonzero);
    check(copies == 0 && nonzero == 0, "memory mapped after munmap of a planted region is zero");

    plant((volatile unsigned char *)b, small);
    expect(sys_madvise((unsigned long)b, small, MADV_DONTNEED), 0, "MADV_DONTNEED the planted region");
    copies = nonzero = 0;
    scan((volatile unsigned char *)b, small, &copies, &nonzero);
    check(copies == 0 && nonzero == 0, "planted pages dropped by MADV_DONTNEED read zero");

    plant((volatile unsigned char *)heap, heap_len);
    expect(sys_brk(heap), (long)heap, "brk shrinks over the planted heap");
    expect(sys_brk(heap + heap_len), (long)(heap + heap_len), "brk regrows");
    copies = nonzero = 0;
    scan((volatile unsigned char *)heap, heap_len, &copies, &nonzero);
    check(copies == 0 && nonzero == 0, "regrown heap pages are zero, no secret");
    return finish("secret_check");
}
