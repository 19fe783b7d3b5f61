/* mprotect_holes — mprotect works through its range from the start: over a hole it changes the
 * pages before the hole, then answers ENOMEM; starting in a hole it changes nothing.
 * PROT_GROWSDOWN / PROT_GROWSUP on a mapping that does not grow is EINVAL (ENOMEM where nothing
 * is mapped, EINVAL for both bits); PROT_GROWSDOWN on the stack is fine. A zero length succeeds
 * before the protection bits are looked at. Writability is probed with getrandom, which the
 * kernel must refuse (EFAULT) to write into a read-only page. */
#include "rt.h"

#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

/* Whether the kernel may write into the page at p (getrandom copies one byte there). */
static int writable(long p)
{
    return sys3(NR_getrandom, p, 1, 0) == 1;
}

int main(void)
{
    long base = map_anon(3 * PAGE, RW);
    if (!expect_ok(base, "mmap 3 pages")) return finish("mprotect_holes");
    unsigned long a = (unsigned long)base, hole = a + PAGE, c = a + 2 * PAGE;
    expect(sys_munmap(hole, PAGE), 0, "munmap the middle page");

    expect(sys_mprotect(a, 3 * PAGE, PROT_READ), -ENOMEM, "mprotect across the hole -> ENOMEM");
    check(!writable(a), "the page before the hole became read-only");
    check(writable(c), "the page after the hole is unchanged");
    expect(sys_mprotect(hole, 2 * PAGE, PROT_READ), -ENOMEM, "mprotect starting in the hole -> ENOMEM");
    check(writable(c), "starting in the hole changes nothing");
    expect(sys_mprotect(a, PAGE, RW), 0, "mprotect the first page RW again");
    check(writable(a), "the first page is writable again");

    expect(sys_mprotect(a, PAGE, PROT_READ | PROT_GROWSDOWN), -EINVAL, "PROT_GROWSDOWN on a plain mapping -> EINVAL");
    expect(sys_mprotect(a, PAGE, PROT_READ | PROT_GROWSUP), -EINVAL, "PROT_GROWSUP on a plain mapping -> EINVAL");
    expect(sys_mprotect(a, PAGE, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL, "both GROWS bits -> EINVAL");
    check(writable(a), "the refused calls changed nothing");
    expect(sys_mprotect(hole, PAGE, PROT_READ | PROT_GROWSUP), -ENOMEM, "PROT_GROWSUP on a hole -> ENOMEM");
    expect(sys_mprotect(a, 0, 0x10), 0, "length 0 with an unknown bit -> 0");

    volatile char local = 1;
    unsigned long stack_page = (unsigned long)&local & ~(PAGE - 1);
    expect(sys_mprotect(stack_page, PAGE, RW | PROT_GROWSDOWN), 0, "PROT_GROWSDOWN on the stack");
    local = 2;
    check(local == 2, "the stack is still writable");

    expect(sys_munmap(a, 3 * PAGE), 0, "munmap");
    expect(sys_mprotect(a, PAGE, PROT_READ | PROT_GROWSDOWN), -ENOMEM, "PROT_GROWSDOWN with nothing mapped -> ENOMEM");
    return finish("mprotect_holes");
}
