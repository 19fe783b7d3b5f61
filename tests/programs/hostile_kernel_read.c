/* hostile_kernel_read — reads a kernel address (default the kernel image, 0xffffffff80000000).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, KERNEL_TEXT);
    say("hostile_kernel_read: reading %p", (void *)a);
    volatile unsigned long v = *(volatile unsigned long *)opaque(a);
    say("hostile_kernel_read: read %lx", (unsigned long)v);
    return survived("hostile_kernel_read", "a kernel read");
}
