/* hostile_exec_mmap — writes a ret instruction into an RW anonymous mapping and calls it.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    long page = map_anon(PAGE, RW);
    if (is_err(page)) {
        say("FAIL: hostile_exec_mmap: mmap %E", page);
        return 2;
    }
    *(volatile unsigned char *)page = 0xc3; /* ret */
    say("hostile_exec_mmap: calling RW page %p", (void *)page);
    call_at((unsigned long)page);
    return survived("hostile_exec_mmap", "executing an RW mapping");
}
