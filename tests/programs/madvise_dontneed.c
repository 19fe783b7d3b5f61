/* madvise_dontneed — MADV_DONTNEED drops private anonymous pages: they read back as zero, the
 * mapping stays, and it can be written again. Only the advised range is dropped. Other advice
 * values are accepted; an unaligned start is EINVAL; advising an unmapped range is ENOMEM. */
#include "rt.h"

int main(void)
{
    unsigned long len = 8 * PAGE;
    long base = map_anon(len, RW);
    if (!expect_ok(base, "mmap 8 pages")) return finish("madvise_dontneed");
    volatile unsigned char *m = (volatile unsigned char *)base;
    for (unsigned long i = 0; i < len; i++) m[i] = 0xee;

    expect(sys_madvise(base + 2 * PAGE, 4 * PAGE, MADV_DONTNEED), 0, "MADV_DONTNEED on pages 2..5");
    unsigned long zero = 0, kept = 0;
    for (unsigned long i = 2 * PAGE; i < 6 * PAGE; i++) zero += m[i] == 0;
    for (unsigned long i = 0; i < len; i++)
        if (i < 2 * PAGE || i >= 6 * PAGE) kept += m[i] == 0xee;
    check(zero == 4 * PAGE, "dropped pages read back as zero");
    check(kept == 4 * PAGE, "pages outside the advised range keep their data");
    m[3 * PAGE] = 7;
    check(m[3 * PAGE] == 7, "a dropped page can be written again");

    expect(sys_madvise(base, len, MADV_DONTNEED), 0, "MADV_DONTNEED on the whole mapping");
    unsigned long nonzero = 0;
    for (unsigned long i = 0; i < len; i++) nonzero += m[i] != 0;
    check(nonzero == 0, "the whole mapping reads zero");

    expect(sys_madvise(base, len, MADV_NORMAL), 0, "MADV_NORMAL accepted");
    expect(sys_madvise(base, len, MADV_WILLNEED), 0, "MADV_WILLNEED accepted");
    expect(sys_madvise(base, len, MADV_SEQUENTIAL), 0, "MADV_SEQUENTIAL accepted");
    expect(sys_madvise(base, len, MADV_RANDOM), 0, "MADV_RANDOM accepted");
    expect(sys_madvise(base + 1, PAGE, MADV_DONTNEED), -EINVAL, "unaligned start -> EINVAL");
    expect(sys_madvise(base, 0, MADV_DONTNEED), 0, "length 0 -> 0");
    expect(sys_munmap(base, len), 0, "munmap");
    expect(sys_madvise(base, len, MADV_DONTNEED), -ENOMEM, "MADV_DONTNEED on an unmapped range -> ENOMEM");
    return finish("madvise_dontneed");
}
