/* mremap_ranges — which old ranges mremap accepts. Linux checks only that the address is mapped
 * before a shrink or a same-size call: the old range may cross several mappings and run past
 * the end (a shrink unmaps all of it after the new length, holes included). Growing or moving
 * needs the part that stays inside one mapping (EFAULT otherwise). An unmapped address is
 * EFAULT. Not checked, because Linux 6.1 and 6.17+ disagree (this kernel does as 6.1): whether a
 * failed MREMAP_FIXED has already unmapped its target (6.1 unmaps first), and whether a
 * same-size MREMAP_FIXED may move a range spanning several mappings (6.17+ allows it). */
#include "rt.h"

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

static long sys_mremap(unsigned long old, unsigned long old_len, unsigned long new_len,
                       long flags, unsigned long new_addr)
{
    return sys6(NR_mremap, (long)old, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
}

/* Whether any page of [p, p + len) is mapped (MAP_FIXED_NOREPLACE over it says EEXIST). */
static int mapped(unsigned long p, unsigned long len)
{
    long r = sys_mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
    if (r == (long)p) sys_munmap(p, len);
    return r == -EEXIST;
}

/* Maps 6 pages at a fresh address: pages 0-1 RW, 2-3 read-only (a second mapping), 4-5 a hole. */
static unsigned long two_mappings_and_a_hole(void)
{
    long base = map_anon(6 * PAGE, RW);
    if (is_err(base)) return 0;
    sys_mprotect((unsigned long)base + 2 * PAGE, 2 * PAGE, PROT_READ);
    sys_munmap((unsigned long)base + 4 * PAGE, 2 * PAGE);
    return (unsigned long)base;
}

int main(void)
{
    unsigned long a = two_mappings_and_a_hole();
    if (!check(a != 0, "set up two mappings and a hole")) return finish("mremap_ranges");
    *(volatile char *)a = 5;
    expect(sys_mremap(a, 6 * PAGE, 6 * PAGE, 0, 0), (long)a, "same size across two mappings and a hole");
    check(mapped(a + 2 * PAGE, 2 * PAGE) && !mapped(a + 4 * PAGE, 2 * PAGE), "same size changes nothing");
    expect(sys_mremap(a, 6 * PAGE, 6 * PAGE, MREMAP_MAYMOVE, 0), (long)a, "same size with MREMAP_MAYMOVE");
    expect(sys_mremap(a, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, 0), -EFAULT, "growing across two mappings -> EFAULT");
    expect(sys_mremap(a, 3 * PAGE - 100, 3 * PAGE, 0, 0), (long)a, "same size after rounding up");
    expect(sys_mremap(a, 6 * PAGE, PAGE, 0, 0), (long)a, "shrink across two mappings and a hole");
    check(!mapped(a + PAGE, 5 * PAGE), "the shrink unmapped everything after the new length");
    check(*(volatile char *)a == 5, "the kept page keeps its data");
    expect(sys_mremap(a + PAGE, PAGE, PAGE, 0, 0), -EFAULT, "an unmapped address -> EFAULT");
    expect(sys_mremap(a + PAGE, 2 * PAGE, PAGE, 0, 0), -EFAULT, "shrinking at an unmapped address -> EFAULT");
    sys_munmap(a, PAGE);

    unsigned long b = two_mappings_and_a_hole();
    long target = map_anon(5 * PAGE, PROT_READ);
    if (!check(b != 0 && !is_err(target), "set up a second time")) return finish("mremap_ranges");
    expect(sys_mremap(b, 4 * PAGE, 5 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (unsigned long)target),
           -EFAULT, "a fixed move that grows across two mappings -> EFAULT");
    *(volatile char *)b = 6;
    expect(sys_mremap(b, 4 * PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (unsigned long)target),
           target, "a fixed move that shrinks across two mappings");
    check(*(volatile char *)target == 6, "the moved page keeps its data");
    check(!mapped(b, 4 * PAGE), "nothing is left at the old address");
    sys_munmap((unsigned long)target, PAGE);
    return finish("mremap_ranges");
}
