/* hostile_kernel_write — writes a kernel address (default the direct map of RAM, 0xffff888000000000).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, KERNEL_DIRECT_MAP);
    say("hostile_kernel_write: writing %p", (void *)a);
    *(volatile unsigned long *)opaque(a) = 0x4242424242424242UL;
    return survived("hostile_kernel_write", "a kernel write");
}
