/* hostile_kernel_exec — calls a kernel data address (default the direct map of RAM, 0xffff888000000000).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, KERNEL_DIRECT_MAP);
    say("hostile_kernel_exec: calling %p", (void *)a);
    call_at(a);
    return survived("hostile_kernel_exec", "executing kernel memory");
}
