/* hostile_read_protnone — maps a page PROT_NONE and reads it.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    long page = map_anon(PAGE, PROT_NONE);
    if (is_err(page)) {
        say("FAIL: hostile_read_protnone: mmap %E", page);
        return 2;
    }
    say("hostile_read_protnone: reading PROT_NONE page %p", (void *)page);
    volatile unsigned char v = *(volatile unsigned char *)page;
    (void)v;
    return survived("hostile_read_protnone", "a read of a PROT_NONE page");
}
