/* hostile_far_return [selector] — a ring-3 `lretq` to a selector that is no code segment of
 * ring 3 (default 0x1b: a data segment, with RPL 3, on Linux and on our kernel alike).
 * Expected: killed by SIGSEGV (status 139): the CPU raises #GP for the selector.
 *
 * Under QEMU TCG the far return's pops are made as supervisor-mode accesses, which SMAP refuses
 * on a user stack: the kernel gets a page fault on a present user page with U/S=0 while the CPU
 * was in ring 3, a fault no change of the page tables can resolve. A kernel that answers it
 * "already mapped" retries it forever (issue 8, item 2); it must end the process instead. */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long selector = target(argc, argv, 0x1b);
    say("hostile_far_return: lretq to selector %p", (void *)selector);
    __asm__ volatile("pushq %0\n\t"            /* the far-return frame: CS above, RIP below */
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n\t"
                     "1:\n\t"
                     :
                     : "r"(selector)
                     : "rax", "memory");
    return survived("hostile_far_return", "a far return to a bad selector");
}
