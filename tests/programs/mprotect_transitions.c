/* mprotect_transitions — protection changes keep the data and take effect on the next access.
 *
 * RW -> R: the data reads back (a write would kill: see hostile_write_readonly).
 * R -> RW: writes work again. RW -> NONE -> RW: the data is still there (Linux keeps it).
 * Protecting one page in the middle splits the mapping; its neighbours keep RW.
 * Also: a never-touched page made PROT_NONE and then RW reads zero. */
#include "rt.h"

int main(void)
{
    unsigned long len = 4 * PAGE;
    long base = map_anon(len, RW);
    if (!expect_ok(base, "mmap 4 pages RW")) return finish("mprotect_transitions");
    volatile unsigned char *m = (volatile unsigned char *)base;
    for (unsigned long i = 0; i < 3 * PAGE; i++) m[i] = (unsigned char)(i ^ 0xa5);

    expect(sys_mprotect(base, len, PROT_READ), 0, "mprotect RW -> R");
    unsigned long wrong = 0;
    for (unsigned long i = 0; i < 3 * PAGE; i++) wrong += m[i] != (unsigned char)(i ^ 0xa5);
    check(wrong == 0, "read-only pages keep their data");

    expect(sys_mprotect(base, len, RW), 0, "mprotect R -> RW");
    m[5] = 0x11;
    check(m[5] == 0x11, "write after R -> RW works");

    expect(sys_mprotect(base, len, PROT_NONE), 0, "mprotect RW -> NONE");
    expect(sys_mprotect(base, len, RW), 0, "mprotect NONE -> RW");
    wrong = 0;
    for (unsigned long i = 6; i < 3 * PAGE; i++) wrong += m[i] != (unsigned char)(i ^ 0xa5);
    check(wrong == 0 && m[5] == 0x11, "data survives NONE -> RW");
    check(m[3 * PAGE] == 0 && m[len - 1] == 0, "a never-written page reads zero after NONE -> RW");

    expect(sys_mprotect(base + PAGE, PAGE, PROT_READ), 0, "mprotect of the second page only -> R");
    m[0] = 0x22;
    m[2 * PAGE] = 0x33;
    check(m[0] == 0x22 && m[2 * PAGE] == 0x33, "neighbours of the read-only page stay writable");
    check(m[PAGE + 1] == (unsigned char)((PAGE + 1) ^ 0xa5), "the read-only page reads its data");

    expect(sys_mprotect(base, len, PROT_READ | PROT_WRITE | PROT_EXEC), 0,
           "mprotect -> RWX on anonymous memory is allowed");
    expect(sys_mprotect(base, len, PROT_READ), 0, "mprotect -> R across split pieces");
    expect(sys_munmap(base, len), 0, "munmap");
    expect(sys_mprotect(base, len, PROT_READ), -ENOMEM, "mprotect after munmap -> ENOMEM");
    return finish("mprotect_transitions");
}
