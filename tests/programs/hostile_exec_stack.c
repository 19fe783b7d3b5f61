/* hostile_exec_stack — writes a ret instruction into a stack buffer and calls it (PT_GNU_STACK says no-execute).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    volatile unsigned char code[16];
    code[0] = 0xc3; /* ret */
    say("hostile_exec_stack: calling stack buffer %p", (void *)code);
    call_at((unsigned long)code);
    return survived("hostile_exec_stack", "executing the stack");
}
