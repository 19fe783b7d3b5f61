/* hostile_exec_heap — writes a ret instruction into the brk heap and calls it (the heap is no-execute).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    unsigned long start = (unsigned long)sys_brk(0);
    unsigned long page = (start + PAGE - 1) & ~(PAGE - 1);
    if (sys_brk(page + PAGE) != (long)(page + PAGE)) {
        say("FAIL: hostile_exec_heap: brk did not grow");
        return 2;
    }
    *(volatile unsigned char *)page = 0xc3; /* ret */
    say("hostile_exec_heap: calling heap page %p", (void *)page);
    call_at(page);
    return survived("hostile_exec_heap", "executing the heap");
}
