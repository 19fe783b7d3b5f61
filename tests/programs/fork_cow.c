/* fork_cow — fork with copy-on-write: what each side sees of the other's memory (issue 9 §3, §6).
 *   - private memory (brk heap, stack, anonymous mmap): a page written before fork and one first
 *     touched after it; the child's writes never reach the parent and the parent's writes after
 *     fork never reach the child; a 4 MiB region crossing a page-table boundary, every page;
 *   - the same after mprotect, munmap (and MAP_FIXED over the hole), MADV_DONTNEED and brk
 *     shrink/regrow in the child (and munmap / MADV_DONTNEED in the parent): the other side keeps
 *     its data, its protection and its break;
 *   - MAP_SHARED|MAP_ANONYMOUS stays shared both ways: pages touched before fork and pages first
 *     touched after it on either side, and a grandchild's writes;
 *   - the parent's write right after fork, through a translation it had just used writable;
 *   - the zero page: an untouched page read before fork and written by one side reads 0 on the
 *     other.
 * Parent and child take turns through two pipes (one byte each way). A child prints its own
 * FAIL lines and exits 1 when it saw any; the parent checks every child's status. Status 0. */
#include "rt.h"
#include "proc.h"

#define TAG_BEFORE 0x50UL /* 'P': written before fork */
#define TAG_CHILD 0x43UL  /* 'C': the child's write */
#define TAG_PARENT 0x51UL /* 'Q': the parent's write after fork */
#define TAG_GRAND 0x47UL  /* 'G': the grandchild's */
#define BIG_PAGES 1024UL  /* 4 MiB: crosses at least one 2 MiB page-table boundary */
#define DEEP_STACK (1 * MiB) /* below the stack pointer: stack pages nothing touched yet */

/* ---- turn taking: down = parent -> child, up = child -> parent ---- */
struct duo { int down[2], up[2]; long pid; int failures_at_fork; };

static long duo_fork(struct duo *d)
{
    if (!expect(sys_pipe2(d->down, 0), 0, "pipe2 (parent -> child)")) return -1;
    if (!expect(sys_pipe2(d->up, 0), 0, "pipe2 (child -> parent)")) return -1;
    d->failures_at_fork = rt_failures;
    d->pid = sys_fork();
    if (!expect_ok(d->pid, "fork")) return -1;
    if (d->pid == 0) {
        sys_close(d->down[1]);
        sys_close(d->up[0]);
    } else {
        sys_close(d->down[0]);
        sys_close(d->up[1]);
    }
    return d->pid;
}
static void tell(int fd) { char b = 1; sys_write(fd, &b, 1); }
static void hear(int fd, const char *what)
{
    char b = 0;
    long r = sys_read(fd, &b, 1);
    if (r != 1) say("FAIL: %s: turn not received (read %E)", what, r), rt_failures++;
}
static void child_tell(struct duo *d) { tell(d->up[1]); }
static void child_hear(struct duo *d) { hear(d->down[0], "child waiting for the parent"); }
static void parent_tell(struct duo *d) { tell(d->down[1]); }
static void parent_hear(struct duo *d) { hear(d->up[0], "parent waiting for the child"); }
static __attribute__((noreturn)) void child_done(struct duo *d)
{
    sys_close(d->down[0]);
    sys_close(d->up[1]);
    child_exit(d->failures_at_fork);
}
static void parent_done(struct duo *d, const char *what)
{
    sys_close(d->down[1]);
    sys_close(d->up[0]);
    reap_expect(d->pid, 0, what);
}

/* ---- page patterns: a word at each end of a page ---- */
static unsigned long word(unsigned long tag, unsigned long index) { return tag << 32 | index; }
static void put(volatile unsigned char *page, unsigned long tag, unsigned long index)
{
    *(volatile unsigned long *)page = word(tag, index);
    *(volatile unsigned long *)(page + PAGE - 8) = word(tag, index);
}
/* 1 when both ends of the page hold (tag, index); tag 0 means "reads zero". */
static int holds(volatile unsigned char *page, unsigned long tag, unsigned long index)
{
    unsigned long want = tag ? word(tag, index) : 0;
    return *(volatile unsigned long *)page == want && *(volatile unsigned long *)(page + PAGE - 8) == want;
}
static void check_page(volatile unsigned char *page, unsigned long tag, unsigned long index, const char *who, const char *what)
{
    rt_checks++;
    if (holds(page, tag, index)) return;
    rt_failures++;
    say("FAIL: %s: %s: page %p reads 0x%lx, want 0x%lx", who, what, (void *)page,
        *(volatile unsigned long *)page, tag ? word(tag, index) : 0UL);
}

static unsigned long stack_pointer(void)
{
    unsigned long sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    return sp;
}

/* ---- 1. private pages, both directions ---- */
/* p0 and p2 were written before fork; p1 was never touched. */
static void private_both_ways(const char *kind, volatile unsigned char *p0, volatile unsigned char *p1, volatile unsigned char *p2)
{
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        check_page(p0, TAG_BEFORE, 0, kind, "child sees the page written before fork");
        check_page(p1, 0, 1, kind, "child sees the untouched page as zero");
        put(p0, TAG_CHILD, 0);
        put(p1, TAG_CHILD, 1);
        child_tell(&d);
        child_hear(&d);
        check_page(p0, TAG_CHILD, 0, kind, "child keeps its write to a pre-fork page after the parent's write");
        check_page(p1, TAG_CHILD, 1, kind, "child keeps its first touch after the parent's");
        check_page(p2, TAG_BEFORE, 2, kind, "the parent's write after fork does not reach the child");
        child_done(&d);
    }
    parent_hear(&d);
    check_page(p0, TAG_BEFORE, 0, kind, "the child's write to a pre-fork page does not reach the parent");
    check_page(p1, 0, 1, kind, "the child's first touch does not reach the parent");
    check_page(p2, TAG_BEFORE, 2, kind, "parent's untouched pre-fork page intact");
    put(p0, TAG_PARENT, 0);
    put(p1, TAG_PARENT, 1);
    put(p2, TAG_PARENT, 2);
    parent_tell(&d);
    parent_done(&d, kind);
    check_page(p0, TAG_PARENT, 0, kind, "parent keeps its writes after the child exits");
    check_page(p2, TAG_PARENT, 2, kind, "parent keeps its writes after the child exits");
    say("fork_cow: %s: private pages isolated both ways", kind);
}

static void private_regions(void)
{
    /* brk heap: four pages above the initial break. */
    unsigned long base = ((unsigned long)sys_brk(0) + PAGE - 1) & ~(PAGE - 1);
    if (!check((unsigned long)sys_brk(base + 4 * PAGE) == base + 4 * PAGE, "brk grows by 4 pages")) return;
    volatile unsigned char *heap = (volatile unsigned char *)base;
    put(heap, TAG_BEFORE, 0);
    put(heap + 2 * PAGE, TAG_BEFORE, 2);
    private_both_ways("brk heap", heap, heap + PAGE, heap + 2 * PAGE);

    /* stack: two pages of main's frame area written now, one far below the stack pointer. */
    volatile unsigned char frame[3 * PAGE] __attribute__((aligned(4096)));
    put(frame, TAG_BEFORE, 0);
    put(frame + 2 * PAGE, TAG_BEFORE, 2);
    volatile unsigned char *deep = (volatile unsigned char *)((stack_pointer() - DEEP_STACK) & ~(PAGE - 1));
    private_both_ways("stack", frame, deep, frame + 2 * PAGE);

    long m = map_anon(3 * PAGE, RW);
    if (!expect_ok(m, "mmap 3 pages")) return;
    volatile unsigned char *map = (volatile unsigned char *)m;
    put(map, TAG_BEFORE, 0);
    put(map + 2 * PAGE, TAG_BEFORE, 2);
    private_both_ways("anonymous mmap", map, map + PAGE, map + 2 * PAGE);
    sys_munmap((unsigned long)m, 3 * PAGE);
}

/* 4 MiB written before fork: every page isolated both ways. */
static void big_region(void)
{
    long m = map_anon(BIG_PAGES * PAGE, RW);
    if (!expect_ok(m, "mmap 4 MiB")) return;
    volatile unsigned char *big = (volatile unsigned char *)m;
    for (unsigned long i = 0; i < BIG_PAGES; i++) put(big + i * PAGE, TAG_BEFORE, i);
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        unsigned long wrong = 0;
        for (unsigned long i = 0; i < BIG_PAGES; i++) {
            wrong += !holds(big + i * PAGE, TAG_BEFORE, i);
            put(big + i * PAGE, TAG_CHILD, i);
        }
        check(wrong == 0, "4 MiB: the child sees every pre-fork page");
        child_tell(&d);
        child_hear(&d);
        wrong = 0;
        for (unsigned long i = 0; i < BIG_PAGES; i++) wrong += !holds(big + i * PAGE, TAG_CHILD, i);
        if (!check(wrong == 0, "4 MiB: the child keeps its own copy of every page")) say("FAIL: %lu pages wrong", wrong);
        child_done(&d);
    }
    parent_hear(&d);
    unsigned long wrong = 0;
    for (unsigned long i = 0; i < BIG_PAGES; i++) {
        wrong += !holds(big + i * PAGE, TAG_BEFORE, i);
        put(big + i * PAGE, TAG_PARENT, i);
    }
    if (!check(wrong == 0, "4 MiB: no child write reaches the parent")) say("FAIL: %lu pages wrong", wrong);
    parent_tell(&d);
    parent_done(&d, "4 MiB child");
    sys_munmap((unsigned long)m, BIG_PAGES * PAGE);
    say("fork_cow: 4 MiB, %lu pages: isolated both ways", BIG_PAGES);
}

/* The parent writes a page whose writable translation it has just used, straight after fork
 * returns and before any other system call: a TLB entry left writable by a fork that forgot to
 * invalidate it would let this write reach the page the child shares. */
static void parent_writes_right_after_fork(void)
{
    long m = map_anon(PAGE, RW);
    if (!expect_ok(m, "mmap for the TLB check")) return;
    volatile unsigned char *p = (volatile unsigned char *)m;
    int go[2];
    if (!expect(sys_pipe2(go, 0), 0, "pipe2 (TLB check)")) return;
    for (int i = 0; i < 64; i++) put(p, TAG_BEFORE, 0); /* the translation is in the TLB, writable */
    int failures = rt_failures;
    long pid = sys_fork();
    if (pid > 0) put(p, TAG_PARENT, 0); /* first thing after fork */
    if (pid == 0) {
        hear(go[0], "TLB child waiting for the parent");
        check_page(p, TAG_BEFORE, 0, "TLB", "the parent's write right after fork does not reach the child");
        child_exit(failures);
    }
    if (!expect_ok(pid, "fork (TLB check)")) return;
    tell(go[1]);
    reap_expect(pid, 0, "TLB child");
    check_page(p, TAG_PARENT, 0, "TLB", "parent keeps its write right after fork");
    sys_close(go[0]);
    sys_close(go[1]);
    sys_munmap((unsigned long)m, PAGE);
    say("fork_cow: a write right after fork (TLB entry writable before it) stays the parent's");
}

/* ---- 2. the child changes its mappings: the parent's stay as they were ---- */
static void child_mprotect(void)
{
    long m = map_anon(2 * PAGE, RW);
    if (!expect_ok(m, "mmap for mprotect")) return;
    volatile unsigned char *p = (volatile unsigned char *)m;
    put(p, TAG_BEFORE, 0);
    put(p + PAGE, TAG_BEFORE, 1);
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        expect(sys_mprotect((unsigned long)m, 2 * PAGE, PROT_READ), 0, "child: mprotect read-only");
        check_page(p, TAG_BEFORE, 0, "mprotect", "child reads its read-only page");
        child_tell(&d); /* the parent writes now: its pages must still be writable */
        child_hear(&d);
        check_page(p, TAG_BEFORE, 0, "mprotect", "the parent's write does not reach the child's read-only page");
        expect(sys_mprotect((unsigned long)m, 2 * PAGE, RW), 0, "child: mprotect back to RW");
        put(p + PAGE, TAG_CHILD, 1);
        check_page(p + PAGE, TAG_CHILD, 1, "mprotect", "child writes after RW again");
        child_tell(&d);
        child_done(&d);
    }
    parent_hear(&d);
    put(p, TAG_PARENT, 0); /* a fault here (status 139) means the child's mprotect reached us */
    parent_tell(&d);
    parent_hear(&d);
    check_page(p + PAGE, TAG_BEFORE, 1, "mprotect", "the child's write after mprotect RW does not reach the parent");
    check_page(p, TAG_PARENT, 0, "mprotect", "parent keeps its write");
    parent_done(&d, "mprotect child");
    sys_munmap((unsigned long)m, 2 * PAGE);
    say("fork_cow: mprotect in the child: parent writable and isolated");
}

static void munmap_either_side(void)
{
    long a = map_anon(4 * PAGE, RW), b = map_anon(2 * PAGE, RW);
    if (!expect_ok(a, "mmap A") || !expect_ok(b, "mmap B")) return;
    volatile unsigned char *pa = (volatile unsigned char *)a, *pb = (volatile unsigned char *)b;
    for (unsigned long i = 0; i < 4; i++) put(pa + i * PAGE, TAG_BEFORE, i);
    put(pb, TAG_BEFORE, 0);
    put(pb + PAGE, TAG_BEFORE, 1);
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        /* Unmap the middle two pages of A, put a fresh mapping there; all of A is the child's. */
        expect(sys_munmap((unsigned long)a + PAGE, 2 * PAGE), 0, "child: munmap the middle of A");
        long f = sys_mmap((unsigned long)a + PAGE, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
        expect(f, a + (long)PAGE, "child: MAP_FIXED into the hole");
        check_page(pa + PAGE, 0, 1, "munmap", "child: the new mapping reads zero");
        put(pa + PAGE, TAG_CHILD, 1);
        put(pa + 3 * PAGE, TAG_CHILD, 3);
        child_tell(&d);
        child_hear(&d);
        check_page(pb, TAG_BEFORE, 0, "munmap", "the parent's munmap of B leaves the child's copy");
        check_page(pb + PAGE, TAG_BEFORE, 1, "munmap", "the parent's munmap of B leaves the child's copy");
        put(pb, TAG_CHILD, 0);
        child_done(&d);
    }
    parent_hear(&d);
    for (unsigned long i = 0; i < 4; i++)
        check_page(pa + i * PAGE, TAG_BEFORE, i, "munmap", "the child's munmap + MAP_FIXED leaves the parent's pages");
    put(pa + PAGE, TAG_PARENT, 1);
    check_page(pa + PAGE, TAG_PARENT, 1, "munmap", "parent writes its page the child unmapped");
    expect(sys_munmap((unsigned long)b, 2 * PAGE), 0, "parent: munmap B");
    parent_tell(&d);
    parent_done(&d, "munmap child");
    sys_munmap((unsigned long)a, 4 * PAGE);
    say("fork_cow: munmap on either side: the other keeps its pages");
}

static void madvise_either_side(void)
{
    long m = map_anon(2 * PAGE, RW);
    if (!expect_ok(m, "mmap for madvise")) return;
    volatile unsigned char *p = (volatile unsigned char *)m;
    put(p, TAG_BEFORE, 0);
    put(p + PAGE, TAG_BEFORE, 1);
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        expect(sys_madvise((unsigned long)m, PAGE, MADV_DONTNEED), 0, "child: MADV_DONTNEED page 0");
        check_page(p, 0, 0, "madvise", "child: the dropped page reads zero");
        child_tell(&d);
        child_hear(&d);
        check_page(p + PAGE, TAG_BEFORE, 1, "madvise", "the parent's MADV_DONTNEED leaves the child's page");
        put(p, TAG_CHILD, 0);
        child_done(&d);
    }
    parent_hear(&d);
    check_page(p, TAG_BEFORE, 0, "madvise", "the child's MADV_DONTNEED leaves the parent's page");
    expect(sys_madvise((unsigned long)m + PAGE, PAGE, MADV_DONTNEED), 0, "parent: MADV_DONTNEED page 1");
    check_page(p + PAGE, 0, 1, "madvise", "parent: the dropped page reads zero");
    parent_tell(&d);
    parent_done(&d, "madvise child");
    check_page(p, TAG_BEFORE, 0, "madvise", "the child's write after its MADV_DONTNEED does not reach the parent");
    sys_munmap((unsigned long)m, 2 * PAGE);
    say("fork_cow: MADV_DONTNEED on either side: the other keeps its page");
}

static void child_brk(void)
{
    unsigned long top = (unsigned long)sys_brk(0);
    unsigned long base = (top + PAGE - 1) & ~(PAGE - 1);
    if (!check((unsigned long)sys_brk(base + 4 * PAGE) == base + 4 * PAGE, "brk: grow for the brk test")) return;
    volatile unsigned char *heap = (volatile unsigned char *)base;
    for (unsigned long i = 0; i < 4; i++) put(heap + i * PAGE, TAG_BEFORE, i);
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        check((unsigned long)sys_brk(base) == base, "child: brk shrinks below the written pages");
        check((unsigned long)sys_brk(base + 4 * PAGE) == base + 4 * PAGE, "child: brk regrows");
        check_page(heap, 0, 0, "brk", "child: regrown heap page reads zero");
        check((unsigned long)sys_brk(base + 64 * PAGE) == base + 64 * PAGE, "child: brk grows past the parent's break");
        put(heap + 63 * PAGE, TAG_CHILD, 63);
        put(heap + PAGE, TAG_CHILD, 1);
        child_tell(&d);
        child_hear(&d);
        child_done(&d);
    }
    parent_hear(&d);
    check((unsigned long)sys_brk(0) == base + 4 * PAGE, "brk: the child's brk changes leave the parent's break");
    for (unsigned long i = 0; i < 4; i++)
        check_page(heap + i * PAGE, TAG_BEFORE, i, "brk", "the child's shrink and regrow leave the parent's heap");
    put(heap + 3 * PAGE, TAG_PARENT, 3);
    parent_tell(&d);
    parent_done(&d, "brk child");
    check((unsigned long)sys_brk(base + 64 * PAGE) == base + 64 * PAGE, "parent: brk grows over the child's old range");
    check_page(heap + 63 * PAGE, 0, 63, "brk", "the child's heap page beyond the parent's break does not appear");
    sys_brk(base);
    say("fork_cow: brk shrink/regrow/grow in the child: parent's heap and break intact");
}

/* ---- 3. MAP_SHARED|MAP_ANONYMOUS: one memory for parent, child and grandchild ---- */
static void shared_anonymous(void)
{
    long m = sys_mmap(0, 4 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
    if (!expect_ok(m, "mmap MAP_SHARED|MAP_ANONYMOUS")) return;
    volatile unsigned char *s = (volatile unsigned char *)m;
    put(s, TAG_BEFORE, 0); /* s1..s3 untouched before fork */
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        check_page(s, TAG_BEFORE, 0, "shared", "child sees the pre-fork shared page");
        put(s, TAG_CHILD, 0);
        put(s + PAGE, TAG_CHILD, 1); /* first touch, in the child */
        child_tell(&d);
        child_hear(&d);
        check_page(s, TAG_PARENT, 0, "shared", "child sees the parent's write to a pre-fork shared page");
        check_page(s + 2 * PAGE, TAG_PARENT, 2, "shared", "child sees the parent's first touch of a shared page");
        int failures = rt_failures;
        long g = sys_fork();
        if (g == 0) {
            put(s + 3 * PAGE, TAG_GRAND, 3); /* first touch, in the grandchild */
            put(s, TAG_GRAND, 0);
            child_exit(failures);
        }
        if (expect_ok(g, "child: fork the grandchild")) reap_expect(g, 0, "grandchild");
        check_page(s + 3 * PAGE, TAG_GRAND, 3, "shared", "child sees the grandchild's first touch");
        child_tell(&d);
        child_done(&d);
    }
    parent_hear(&d);
    check_page(s, TAG_CHILD, 0, "shared", "parent sees the child's write to a pre-fork shared page");
    check_page(s + PAGE, TAG_CHILD, 1, "shared", "parent sees the child's first touch of a shared page");
    put(s, TAG_PARENT, 0);
    put(s + 2 * PAGE, TAG_PARENT, 2);
    parent_tell(&d);
    parent_hear(&d);
    check_page(s, TAG_GRAND, 0, "shared", "parent sees the grandchild's write");
    check_page(s + 3 * PAGE, TAG_GRAND, 3, "shared", "parent sees the grandchild's first touch");
    parent_done(&d, "shared child");
    sys_munmap((unsigned long)m, 4 * PAGE);
    say("fork_cow: MAP_SHARED|MAP_ANONYMOUS shared by parent, child and grandchild");
}

/* ---- 4. the zero page ---- */
static void zero_page(void)
{
    long m = map_anon(2 * PAGE, RW);
    if (!expect_ok(m, "mmap for the zero page")) return;
    volatile unsigned char *z = (volatile unsigned char *)m;
    check_page(z, 0, 0, "zero page", "fresh page reads zero before fork");
    check_page(z + PAGE, 0, 1, "zero page", "fresh page reads zero before fork");
    struct duo d;
    if (duo_fork(&d) < 0) return;
    if (d.pid == 0) {
        put(z, TAG_CHILD, 0);
        check_page(z, TAG_CHILD, 0, "zero page", "child writes a page it only read before fork");
        child_tell(&d);
        child_hear(&d);
        check_page(z + PAGE, 0, 1, "zero page", "the parent's write to the read-only-before-fork page does not reach the child");
        child_done(&d);
    }
    parent_hear(&d);
    check_page(z, 0, 0, "zero page", "the child's write to the zero-page mapping does not reach the parent");
    put(z + PAGE, TAG_PARENT, 1);
    parent_tell(&d);
    parent_done(&d, "zero-page child");
    check_page(z, 0, 0, "zero page", "parent still reads zero after the child exits");
    sys_munmap((unsigned long)m, 2 * PAGE);
    say("fork_cow: zero page: a write on one side leaves the other reading 0");
}

int main(void)
{
    private_regions();
    big_region();
    parent_writes_right_after_fork();
    child_mprotect();
    munmap_either_side();
    madvise_either_side();
    child_brk();
    shared_anonymous();
    zero_page();
    return finish("fork_cow");
}
