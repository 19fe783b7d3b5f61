/* hostile_noncanonical_jump — jumps to a non-canonical address (0x0000800000000000, the first one above the user half).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(int argc, char **argv)
{
    unsigned long a = target(argc, argv, 0x0000800000000000UL);
    say("hostile_noncanonical_jump: jumping to %p", (void *)a);
    call_at(a);
    return survived("hostile_noncanonical_jump", "a non-canonical jump");
}
