/* shared_remove_fork — MADV_REMOVE on MAP_SHARED|MAP_ANONYMOUS memory is seen by every process
 * that maps it (Linux's shmem hole punch unmaps the pages from every mapping through the
 * object's reverse map, then frees them): after fork, a remove in the parent makes the child
 * read zeros where it had read the old data, and a remove in the child makes the parent read
 * zeros; the pages left alone keep their data, and a page written after the remove is one
 * page again, shared both ways. Every process first touches every page itself, so each maps
 * them in its own page tables. Parent and child take turns through two pipes. Status 0. */
#include "rt.h"
#include "proc.h"

#define MADV_REMOVE 9
#define PAGES 4UL
#define OLD 0xabU    /* written by the parent before fork */
#define FRESH 0xcdU  /* the child's write after the parent's remove */
#define MARK 0x5aU   /* a write that makes each side's page tables its own */

/* Whether every 64th byte of page `index` of `m` holds `value`. */
static int page_holds(long m, unsigned long index, unsigned char value)
{
    volatile unsigned char *p = (volatile unsigned char *)(m + index * PAGE);
    for (unsigned long i = 0; i < PAGE; i += 64)
        if (p[i] != value) return 0;
    return 1;
}

static void fill_page(long m, unsigned long index, unsigned char value)
{
    volatile unsigned char *p = (volatile unsigned char *)(m + index * PAGE);
    for (unsigned long i = 0; i < PAGE; i += 64) p[i] = value;
}

static void tell(int fd) { char b = 1; sys_write(fd, &b, 1); }
static void hear(int fd, const char *what)
{
    char b = 0;
    long r = sys_read(fd, &b, 1);
    if (r != 1) say("FAIL: %s: turn not received (read %E)", what, r), rt_failures++;
}

int main(void)
{
    long m = sys_mmap(0, PAGES * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
    if (!expect_ok(m, "mmap MAP_SHARED|MAP_ANONYMOUS")) return finish("shared_remove_fork");
    for (unsigned long i = 0; i < PAGES; i++) fill_page(m, i, OLD);
    int down[2], up[2];
    if (!expect(sys_pipe2(down, 0), 0, "pipe2 (parent -> child)")
        || !expect(sys_pipe2(up, 0), 0, "pipe2 (child -> parent)"))
        return finish("shared_remove_fork");
    int failures_at_fork = rt_failures;
    long pid = sys_fork();
    if (!expect_ok(pid, "fork")) return finish("shared_remove_fork");
    if (pid == 0) {
        sys_close(down[1]);
        sys_close(up[0]);
        volatile unsigned char *mark = (volatile unsigned char *)(m + PAGES * PAGE - 1);
        *mark = MARK; /* the last byte of the last page: no page_holds sample */
        for (unsigned long i = 0; i < PAGES; i++)
            check(page_holds(m, i, OLD), "child: the pre-fork shared data before the remove");
        tell(up[1]);
        hear(down[0], "child waiting for the parent's remove");
        check(page_holds(m, 1, 0) && page_holds(m, 2, 0),
              "child: the pages the parent removed read zero");
        check(page_holds(m, 0, OLD) && page_holds(m, 3, OLD),
              "child: the pages the parent kept keep their data");
        fill_page(m, 1, FRESH);
        expect(sys_madvise(m, PAGE, MADV_REMOVE), 0, "child: MADV_REMOVE of the first page");
        check(page_holds(m, 0, 0), "child: its removed page reads zero");
        tell(up[1]);
        sys_close(down[0]);
        sys_close(up[1]);
        child_exit(failures_at_fork);
    }
    sys_close(down[0]);
    sys_close(up[1]);
    hear(up[0], "parent waiting for the child's reads");
    volatile unsigned char *mark = (volatile unsigned char *)(m + PAGES * PAGE - 2);
    *mark = MARK;
    expect(sys_madvise(m + PAGE, 2 * PAGE, MADV_REMOVE), 0, "parent: MADV_REMOVE of pages 1-2");
    check(page_holds(m, 1, 0) && page_holds(m, 2, 0), "parent: its removed pages read zero");
    tell(down[1]);
    hear(up[0], "parent waiting for the child's remove");
    reap_expect(pid, 0, "child");
    say("shared_remove_fork: MADV_REMOVE in the parent: the child reads zeros");
    check(page_holds(m, 0, 0), "parent: the page the child removed reads zero");
    check(page_holds(m, 1, FRESH), "parent: the child's write after the remove is shared");
    check(page_holds(m, 3, OLD), "parent: the page nobody removed keeps its data");
    say("shared_remove_fork: MADV_REMOVE in the child: the parent reads zeros");
    sys_close(down[1]);
    sys_close(up[0]);
    return finish("shared_remove_fork");
}
