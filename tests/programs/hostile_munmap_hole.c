/* hostile_munmap_hole — unmaps the middle page of three and reads the hole.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    long base = map_anon(3 * PAGE, RW);
    if (is_err(base) || sys_munmap(base + PAGE, PAGE) != 0) {
        say("FAIL: hostile_munmap_hole: setup failed");
        return 2;
    }
    *(volatile unsigned char *)base = 1;
    *(volatile unsigned char *)(base + 2 * PAGE) = 1;
    say("hostile_munmap_hole: neighbours writable, reading the hole %p", (void *)(base + PAGE));
    volatile unsigned char v = *(volatile unsigned char *)(base + PAGE);
    (void)v;
    return survived("hostile_munmap_hole", "a read of an unmapped hole");
}
