/* commit_follows_mremap [MiB] [rounds] — a mapping's commit follows its pages through mremap.
 *
 * Each round maps MiB (default 192) read-write, writes every page, makes it PROT_NONE and moves
 * it with mremap(MREMAP_MAYMOVE | MREMAP_FIXED) onto a PROT_NONE placeholder, then keeps it.
 * The moved pages are resident whatever their protection says, so they must stay charged: a
 * kernel that charged the target by its current protection (PROT_NONE costs nothing) and then
 * refunded the source promised the same frames again, and after a few rounds (1 GiB of RAM) a
 * demand fault found no frame. Under strict commit an mmap may refuse with ENOMEM instead —
 * that ends the rounds early and is a pass; a demand fault must never be the one to fail.
 * At the end every moved mapping is made readable again and must hold its pattern.
 * Default: 8 rounds (1.5 GiB in all, about 1 GiB more than the kernel's machine has). */
#include "rt.h"

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MAX_ROUNDS 64

static long sys_mremap(unsigned long old, unsigned long old_len, unsigned long new_len,
                       long flags, unsigned long new_addr)
{
    return sys6(NR_mremap, (long)old, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
}

/* The byte page `page` of round `round` holds. */
static unsigned char pattern(unsigned long round, unsigned long page)
{
    return (unsigned char)(round * 31 + page * 7 + 1);
}

int main(int argc, char **argv)
{
    unsigned long mib = rt_parse(argc > 1 ? argv[1] : 0, 192);
    unsigned long rounds = rt_parse(argc > 2 ? argv[2] : 0, 8);
    if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    unsigned long len = mib * MiB, pages = len / PAGE;
    unsigned long moved[MAX_ROUNDS];
    unsigned long done = 0;
    say("commit_follows_mremap: %lu rounds of %lu MiB", rounds, mib);
    for (unsigned long round = 0; round < rounds; round++) {
        long placeholder = map_anon(len, PROT_NONE);
        long base = map_anon(len, RW);
        if (base == -ENOMEM || placeholder == -ENOMEM) {
            say("commit_follows_mremap: round %lu: mmap refused (ENOMEM): commit exhausted", round);
            if (!is_err(placeholder)) sys_munmap((unsigned long)placeholder, len);
            if (!is_err(base)) sys_munmap((unsigned long)base, len);
            break;
        }
        if (!expect_ok(placeholder, "mmap PROT_NONE placeholder") || !expect_ok(base, "mmap RW"))
            break;
        volatile unsigned char *m = (volatile unsigned char *)base;
        for (unsigned long p = 0; p < pages; p++) m[p * PAGE] = pattern(round, p);
        expect(sys_mprotect((unsigned long)base, len, PROT_NONE), 0, "mprotect PROT_NONE");
        long target = sys_mremap((unsigned long)base, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
                                 (unsigned long)placeholder);
        if (!expect(target, placeholder, "mremap MAYMOVE|FIXED onto the placeholder")) break;
        moved[done++] = (unsigned long)target;
        say("commit_follows_mremap: round %lu: %lu MiB written and moved", round, mib);
    }
    check(done >= 1, "at least one round completed");
    unsigned long wrong = 0;
    for (unsigned long round = 0; round < done; round++) {
        expect(sys_mprotect(moved[round], len, PROT_READ), 0, "mprotect PROT_READ after the move");
        volatile unsigned char *m = (volatile unsigned char *)moved[round];
        for (unsigned long p = 0; p < pages; p++) wrong += m[p * PAGE] != pattern(round, p);
    }
    check(wrong == 0, "every moved page keeps its contents");
    say("commit_follows_mremap: %lu rounds kept, %lu pages wrong", done, wrong);
    for (unsigned long round = 0; round < done; round++)
        expect(sys_munmap(moved[round], len), 0, "munmap a moved mapping");
    return finish("commit_follows_mremap");
}
