/* hostile_null_deref — reads through a NULL pointer (page 0 is never mapped).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, 0);
    say("hostile_null_deref: reading %p", (void *)a);
    volatile unsigned long v = *(volatile unsigned long *)opaque(a);
    (void)v;
    return survived("hostile_null_deref", "a NULL read");
}
