/* munmap_partial — unmapping the middle of a mapping leaves a hole and intact neighbours.
 *
 * Maps 5 pages, writes each, unmaps page 2: pages 0, 1, 3, 4 keep their data; the hole is free
 * (a MAP_FIXED_NOREPLACE mapping there succeeds, reads zero, while one overlapping a neighbour
 * fails with EEXIST). Touching the hole kills: see hostile_munmap_hole.
 * Unmapping a range that is already unmapped succeeds on Linux. */
#include "rt.h"

int main(void)
{
    unsigned long len = 5 * PAGE;
    long base = map_anon(len, RW);
    if (!expect_ok(base, "mmap 5 pages")) return finish("munmap_partial");
    volatile unsigned char *m = (volatile unsigned char *)base;
    for (unsigned long p = 0; p < 5; p++)
        for (unsigned long i = 0; i < PAGE; i++) m[p * PAGE + i] = (unsigned char)(p * 40 + i);

    unsigned long hole = (unsigned long)base + 2 * PAGE;
    expect(sys_munmap(hole, PAGE), 0, "munmap of the middle page");
    unsigned long wrong = 0;
    for (unsigned long p = 0; p < 5; p++) {
        if (p == 2) continue;
        for (unsigned long i = 0; i < PAGE; i++) wrong += m[p * PAGE + i] != (unsigned char)(p * 40 + i);
    }
    check(wrong == 0, "the four neighbours keep their data");

    expect(sys_munmap(hole, PAGE), 0, "munmap of the hole again (already unmapped) succeeds");
    expect(sys_mprotect(hole, PAGE, PROT_READ), -ENOMEM, "mprotect of the hole -> ENOMEM");
    expect(sys_mprotect(base, len, PROT_READ), -ENOMEM,
           "mprotect across the hole -> ENOMEM");
    expect(sys_mprotect(base, 2 * PAGE, RW), 0, "mprotect of the pieces below the hole works");

    expect(sys_mmap(hole - PAGE, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE),
           -EEXIST, "MAP_FIXED_NOREPLACE overlapping the left neighbour -> EEXIST");
    expect(sys_mmap(hole, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE), (long)hole,
           "MAP_FIXED_NOREPLACE into the hole succeeds at the hole");
    check(m[2 * PAGE] == 0 && m[3 * PAGE - 1] == 0, "the refilled hole reads zero");
    m[2 * PAGE] = 9;
    check(m[2 * PAGE] == 9 && m[3 * PAGE] == (unsigned char)(3 * 40), "refilled hole is writable, neighbour intact");

    expect(sys_munmap(base + PAGE, 3 * PAGE), 0, "munmap of pages 1..3");
    check(m[0] == 0 && m[4 * PAGE] == (unsigned char)(4 * 40), "the two outer pages survive");
    expect(sys_munmap(base, len), 0, "munmap of the whole range (partly unmapped already)");
    expect(sys_mprotect(base, len, PROT_READ), -ENOMEM, "mprotect after the full munmap -> ENOMEM");
    return finish("munmap_partial");
}
