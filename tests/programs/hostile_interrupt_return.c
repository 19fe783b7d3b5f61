/* hostile_interrupt_return [selector] — a ring-3 `iretq` through a crafted frame whose CS is no
 * code segment of ring 3 (default 0x1b, a data segment with RPL 3); SS, RSP and RFLAGS are the
 * program's own. Expected: killed by SIGSEGV (status 139): the CPU raises #GP for the selector.
 *
 * Like `lretq` (hostile_far_return.c), QEMU TCG pops the frame with supervisor-mode accesses
 * that SMAP refuses on the user stack: a fault the page trap can never resolve, which must end
 * the process rather than repeat forever (issue 8, item 2). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long selector = target(argc, argv, 0x1b);
    say("hostile_interrupt_return: iretq to selector %p", (void *)selector);
    __asm__ volatile("movq %%rsp, %%rdx\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movw %%ss, %%ax\n\t"
                     "pushq %%rax\n\t"         /* SS */
                     "pushq %%rdx\n\t"         /* RSP: where it was before this frame */
                     "pushfq\n\t"              /* RFLAGS */
                     "pushq %0\n\t"            /* CS: the bad selector */
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"         /* RIP */
                     "iretq\n\t"
                     "1:\n\t"
                     :
                     : "r"(selector)
                     : "rax", "rdx", "memory");
    return survived("hostile_interrupt_return", "an interrupt return to a bad selector");
}
