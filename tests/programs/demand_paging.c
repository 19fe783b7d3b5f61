/* demand_paging [MiB] — a large anonymous mapping is backed page by page on first touch.
 *
 * Maps MiB (default 64) of anonymous private memory, checks every word of every fresh page reads
 * zero, writes a per-page pattern over each page, then reads it all back. Reports the pages touched
 * and getrusage's ru_minflt before and after: each page must have taken at least one minor fault
 * (MADV_NOHUGEPAGE keeps Linux's transparent huge pages out of the count).
 * Status 0 when every check passes. */
#include "rt.h"

static unsigned long pattern(unsigned long page, unsigned long word)
{
    return (page * 0x9e3779b97f4a7c15UL) ^ (word << 3) ^ 0x5a5a5a5a00000000UL;
}

int main(int argc, char **argv)
{
    unsigned long mib = rt_parse(argc > 1 ? argv[1] : 0, 64);
    unsigned long len = mib * MiB, pages = len / PAGE, words = PAGE / sizeof(unsigned long);
    say("demand_paging: mapping %lu MiB (%lu pages)", mib, pages);

    long base = map_anon(len, RW);
    if (!expect_ok(base, "mmap of the region")) return finish("demand_paging");
    sys_madvise((unsigned long)base, len, MADV_NOHUGEPAGE); /* advice only: ignore the answer */

    long before = minor_faults();
    volatile unsigned long *m = (volatile unsigned long *)base;
    unsigned long nonzero = 0, wrong = 0;
    for (unsigned long p = 0; p < pages; p++)
        for (unsigned long w = 0; w < words; w++)
            if (m[p * words + w] != 0) nonzero++;
    check(nonzero == 0, "every word of every fresh page reads zero");
    for (unsigned long p = 0; p < pages; p++)
        for (unsigned long w = 0; w < words; w++) m[p * words + w] = pattern(p, w);
    for (unsigned long p = 0; p < pages; p++)
        for (unsigned long w = 0; w < words; w++)
            if (m[p * words + w] != pattern(p, w)) wrong++;
    check(wrong == 0, "every page keeps what was written");
    long after = minor_faults();

    say("demand_paging: pages touched: %lu", pages);
    say("demand_paging: ru_minflt before %ld, after %ld, delta %ld", before, after, after - before);
    check(before >= 0 && after >= 0, "getrusage(RUSAGE_SELF) succeeds");
    check(after - before >= (long)pages, "at least one minor fault per page touched");

    expect(sys_munmap((unsigned long)base, len), 0, "munmap of the region");
    return finish("demand_paging");
}
