/* brk_heap — the program break grows, shrinks and regrows through the raw brk system call
 * (musl's brk()/sbrk() wrappers never call the kernel, so this always uses syscall 12).
 *
 * Linux's brk returns the new break on success and the unchanged break on failure (never -errno).
 * Grown pages read zero; after shrinking, the pages above the break are gone, and regrowing
 * brings back zero pages while the pages below the break keep their contents. */
#include "rt.h"

int main(void)
{
    unsigned long start = (unsigned long)sys_brk(0);
    say("brk_heap: initial break %p", (void *)start);
    check(start != 0 && start < USER_TOP_PAGE, "brk(0) reports the current break");

    unsigned long grown = start + 1 * MiB;
    expect(sys_brk(grown), (long)grown, "brk grows by 1 MiB");
    expect(sys_brk(0), (long)grown, "brk(0) reports the grown break");

    unsigned long heap = (start + PAGE - 1) & ~(PAGE - 1); /* first whole page of the heap */
    volatile unsigned char *h = (volatile unsigned char *)heap;
    unsigned long span = grown - heap, nonzero = 0;
    for (unsigned long i = 0; i < span; i += 64) nonzero += h[i] != 0;
    check(nonzero == 0, "grown heap reads zero");
    for (unsigned long i = 0; i < span; i++) h[i] = (unsigned char)(i * 7 + 1);
    unsigned long wrong = 0;
    for (unsigned long i = 0; i < span; i++) wrong += h[i] != (unsigned char)(i * 7 + 1);
    check(wrong == 0, "grown heap keeps what was written");

    unsigned long shrunk = heap + PAGE;
    expect(sys_brk(shrunk), (long)shrunk, "brk shrinks to one page");
    expect(sys_brk(0), (long)shrunk, "brk(0) reports the shrunk break");
    check(h[0] == 1 && h[PAGE - 1] == (unsigned char)((PAGE - 1) * 7 + 1),
          "the page below the shrunk break keeps its contents");

    unsigned long regrown = start + 2 * MiB + 123; /* an unaligned break is kept as given */
    expect(sys_brk(regrown), (long)regrown, "brk regrows by 2 MiB to an unaligned break");
    nonzero = 0;
    for (unsigned long i = PAGE; i < regrown - heap; i++) nonzero += h[i] != 0;
    check(nonzero == 0, "regrown pages read zero (old contents gone)");
    check(h[1] == (unsigned char)(1 * 7 + 1), "the first heap page still keeps its contents");
    h[regrown - heap - 1] = 0x42;
    check(h[regrown - heap - 1] == 0x42, "the last byte below the regrown break is writable");

    expect(sys_brk(start - PAGE), (long)regrown, "brk below the start fails: break unchanged");
    expect(sys_brk(0x7fff00000000UL), (long)regrown,
           "brk into the stack area fails: break unchanged");
    expect(sys_brk(KERNEL_TEXT), (long)regrown, "brk to a kernel address fails: break unchanged");
    expect(sys_brk(start), (long)start, "brk back to the start");
    expect(sys_brk(0), (long)start, "brk(0) reports the start again");
    return finish("brk_heap");
}
