/* fork_family_swap — a parent and three children sharing one private working set after fork,
 * every process reading all of it (issue 12 §3: a page shared after fork is swapped once).
 * The parent fills ARG1 MiB (default 16) of private anonymous memory, one pattern per page
 * (its first and last word), then forks three children; the four read every page, twice, and
 * check its words. Nothing is written after fork, so every page stays shared copy-on-write by
 * the four. Run with less RAM than the working set (tests/system/test_swap_fork.py) the
 * kernel must swap those shared pages out and back: a lost or mixed page prints FAIL and the
 * process exits 1; the parent checks each child's status. Status 0 when all is well. */
#include "rt.h"
#include "proc.h"

#define CHILDREN 3
#define PASSES 2
#define WORDS_PER_PAGE (PAGE / sizeof(unsigned long))

static unsigned long pattern(unsigned long page) { return 0x5eed5eedUL ^ (page * 0x9e3779b97f4a7c15UL); }

/* Reads every page PASSES times; returns the number of pages whose words were wrong. */
static unsigned long read_all(const volatile unsigned long *base, unsigned long pages)
{
    unsigned long bad = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        for (unsigned long page = 0; page < pages; page++) {
            const volatile unsigned long *words = base + page * WORDS_PER_PAGE;
            if (words[0] != pattern(page) || words[WORDS_PER_PAGE - 1] != ~pattern(page)) bad++;
        }
    }
    return bad;
}

int main(int argc, char **argv)
{
    unsigned long mib = argc > 1 ? rt_parse(argv[1], 16) : 16;
    unsigned long pages = mib * MiB / PAGE;
    long mapped = map_anon(pages * PAGE, PROT_READ | PROT_WRITE);
    if (!expect_ok(mapped, "mmap of the working set")) return finish("fork_family_swap");
    volatile unsigned long *base = (volatile unsigned long *)mapped;
    for (unsigned long page = 0; page < pages; page++) {
        base[page * WORDS_PER_PAGE] = pattern(page);
        base[page * WORDS_PER_PAGE + WORDS_PER_PAGE - 1] = ~pattern(page);
    }
    long children[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        children[i] = sys_fork();
        if (!expect_ok(children[i], "fork")) return finish("fork_family_swap");
        if (children[i] == 0) {
            unsigned long bad = read_all(base, pages);
            if (bad) say("FAIL: child %d: %u of %u pages wrong", i, bad, pages);
            sys_exit_group(bad ? 1 : 0);
        }
    }
    unsigned long bad = read_all(base, pages);
    if (!check(bad == 0, "the parent read every page back")) say("parent: %u pages wrong", bad);
    for (int i = 0; i < CHILDREN; i++) {
        int status = -1;
        expect(sys_wait4(children[i], &status, 0), children[i], "wait4 for a child");
        check(status == 0, "a child read every page back (exit status 0)");
    }
    say("fork_family_swap: %u MiB shared by %d processes", mib, CHILDREN + 1);
    return finish("fork_family_swap");
}
