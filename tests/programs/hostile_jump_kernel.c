/* hostile_jump_kernel — jumps into kernel text (default 0xffffffff81000000) with no way back.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, KERNEL_TEXT_ENTRY);
    say("hostile_jump_kernel: jumping to %p", (void *)a);
    __asm__ volatile("jmp *%0" : : "r"(opaque(a)) : "memory");
    return survived("hostile_jump_kernel", "a jump into the kernel");
}
