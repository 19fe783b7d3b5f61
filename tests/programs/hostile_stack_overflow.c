/* hostile_stack_overflow — recurses without bound until it hits the guard below the stack.
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

/* Each frame holds a 1 KiB buffer and uses it after the call, so the recursion is real. */
static unsigned long recurse(unsigned long depth)
{
    volatile unsigned char frame[1024];
    frame[0] = (unsigned char)depth;
    frame[1023] = (unsigned char)(depth >> 8);
    return recurse(depth + 1) + frame[0] + frame[1023];
}

int main(void)
{
    say("hostile_stack_overflow: recursing");
    unsigned long r = recurse(0);
    say("FAIL: hostile_stack_overflow returned %lu", r);
    return 1;
}
