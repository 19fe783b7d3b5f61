/* hostile_write_readonly — maps a page RW, makes it read-only with mprotect, then writes it.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    long page = map_anon(PAGE, RW);
    if (is_err(page) || sys_mprotect(page, PAGE, PROT_READ) != 0) {
        say("FAIL: hostile_write_readonly: setup failed");
        return 2;
    }
    say("hostile_write_readonly: reading read-only page %p: %d", (void *)page, *(volatile unsigned char *)page);
    say("hostile_write_readonly: writing read-only page %p", (void *)page);
    *(volatile unsigned char *)page = 1;
    return survived("hostile_write_readonly", "a write to a read-only page");
}
