/* hostile_write_text — writes over its own code (text is read + execute).
 * Expected: killed by SIGSEGV (status 139). */
#include "hostile.h"

int main(void)
{
    unsigned long a = (unsigned long)&main;
    say("hostile_write_text: writing main at %p", (void *)a);
    *(volatile unsigned char *)opaque(a) = 0xc3;
    return survived("hostile_write_text", "a write to text");
}
