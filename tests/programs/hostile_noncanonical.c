/* hostile_noncanonical — reads a non-canonical address (0xdead000000000000): a #GP, not a #PF, which Linux also reports as SIGSEGV.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, NONCANONICAL);
    say("hostile_noncanonical: reading %p", (void *)a);
    volatile unsigned long v = *(volatile unsigned long *)opaque(a);
    (void)v;
    return survived("hostile_noncanonical", "a non-canonical read");
}
