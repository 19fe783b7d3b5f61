/* map_fixed — address hints, MAP_FIXED and MAP_FIXED_NOREPLACE.
 *
 * A free hint is honoured; an occupied hint is not an error (the kernel picks elsewhere);
 * MAP_FIXED replaces what was there (the new pages read zero); MAP_FIXED_NOREPLACE over anything
 * mapped fails with EEXIST and leaves the old mapping untouched. */
#include "rt.h"

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

int main(void)
{
    /* Find a free 8-page range: map it, remember it, unmap it. */
    long probe = map_anon(8 * PAGE, RW);
    if (!expect_ok(probe, "mmap probe")) return finish("map_fixed");
    unsigned long a = (unsigned long)probe;
    expect(sys_munmap(a, 8 * PAGE), 0, "munmap probe");

    expect(sys_mmap(a, 4 * PAGE, RW, ANON), (long)a, "a free hint is honoured");
    volatile unsigned char *m = (volatile unsigned char *)a;
    for (unsigned long i = 0; i < 4 * PAGE; i++) m[i] = 0x5c;

    long other = sys_mmap(a, PAGE, RW, ANON);
    check(!is_err(other) && other != (long)a, "an occupied hint is ignored, not an error");
    if (!is_err(other)) sys_munmap((unsigned long)other, PAGE);

    expect(sys_mmap(a, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST,
           "MAP_FIXED_NOREPLACE over a mapping -> EEXIST");
    expect(sys_mmap(a + 3 * PAGE, 2 * PAGE, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST,
           "MAP_FIXED_NOREPLACE overlapping the last page -> EEXIST");
    check(m[0] == 0x5c && m[4 * PAGE - 1] == 0x5c, "a refused MAP_FIXED_NOREPLACE leaves data alone");
    expect(sys_mmap(a + 4 * PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), (long)(a + 4 * PAGE),
           "MAP_FIXED_NOREPLACE right after the mapping succeeds");

    expect(sys_mmap(a + PAGE, 2 * PAGE, RW, ANON | MAP_FIXED), (long)(a + PAGE),
           "MAP_FIXED over the middle two pages succeeds");
    check(m[PAGE] == 0 && m[3 * PAGE - 1] == 0, "replaced pages read zero");
    check(m[0] == 0x5c && m[3 * PAGE] == 0x5c, "pages outside the MAP_FIXED range keep data");

    expect(sys_mmap(a + PAGE, PAGE, PROT_READ, ANON | MAP_FIXED), (long)(a + PAGE),
           "MAP_FIXED read-only over a writable page");
    expect(sys_mprotect(a + PAGE, PAGE, RW), 0, "and back to RW with mprotect");
    m[PAGE] = 1;
    check(m[PAGE] == 1, "the replaced page is writable again");

    expect(sys_munmap(a, 5 * PAGE), 0, "munmap everything");
    expect(sys_mmap(a, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), (long)a,
           "MAP_FIXED_NOREPLACE at a freed address succeeds");
    expect(sys_munmap(a, PAGE), 0, "munmap");
    return finish("map_fixed");
}
