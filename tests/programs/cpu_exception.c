/* cpu_exception MODE — raises one CPU exception from user mode and must not get further: the
 * status is the signal Linux sends for it (128 + signal). If it survives it prints
 * `FAIL: cpu_exception survived MODE` and exits 1.
 *
 *   int3        the one-byte breakpoint (#BP, vector 3)              → SIGTRAP, status 133
 *   int-3       `int $3`, the two-byte form (#BP through the gate)   → SIGTRAP, status 133
 *   int-4       `int $4` (#OF: `into` does not exist in 64-bit mode) → SIGSEGV, status 139
 *               (Linux's do_error_trap for "overflow" sends SIGSEGV)
 *   stack-noncanonical  a push with RSP at a non-canonical address (#SS, not #GP)
 *                                                                     → SIGBUS, status 135
 *   x87-divide  1/0 with the x87 zero-divide exception unmasked, then `fwait` (#MF, vector 16)
 *                                                                     → SIGFPE, status 136
 *   sse-divide  1/0 in `divss` with MXCSR's zero-divide exception unmasked (#XM, vector 19)
 *                                                                     → SIGFPE, status 136
 *
 * The x87 and SSE instructions are inline assembly on memory operands, so the raw build
 * (-mgeneral-regs-only: the compiler itself never touches those registers) runs them too. */
#include "rt.h"

/* x87 control word: the power-on value 0x37f masks every exception; ZM is bit 2. */
#define X87_CONTROL_DEFAULT 0x037f
#define X87_ZERO_DIVIDE_MASK 0x0004
/* MXCSR: the power-on value 0x1f80 masks every exception; ZM is bit 9. */
#define MXCSR_DEFAULT 0x1f80
#define MXCSR_ZERO_DIVIDE_MASK 0x0200

/* The raw build may not name an x87 or SSE register (-mgeneral-regs-only); none holds a value
 * of the compiler's there. The x87 stack is left empty either way. */
#ifdef RT_RAW
#define X87_CLOBBERS "memory"
#define SSE_CLOBBERS "memory"
#else
#define X87_CLOBBERS "memory", "st"
#define SSE_CLOBBERS "memory", "xmm0"
#endif

static void x87_divide_by_zero(void)
{
    unsigned short control = X87_CONTROL_DEFAULT & ~X87_ZERO_DIVIDE_MASK;
    __asm__ volatile("fninit\n\t"
                     "fldcw %0\n\t"
                     "fld1\n\t"
                     "fldz\n\t"
                     "fdivrp\n\t" /* st(0) = 1 / 0: sets ZE; the exception is pending */
                     "fwait\n\t"  /* the pending unmasked exception is raised here (#MF) */
                     "fstp %%st(0)\n\t"
                     :
                     : "m"(control)
                     : X87_CLOBBERS);
}

/* The raw build may not name an SSE register (-mgeneral-regs-only); none holds a value there. */

static void sse_divide_by_zero(void)
{
    unsigned int mxcsr = MXCSR_DEFAULT & ~MXCSR_ZERO_DIVIDE_MASK;
    static const float one = 1.0f, zero = 0.0f;
    __asm__ volatile("ldmxcsr %0\n\t"
                     "movss %1, %%xmm0\n\t"
                     "divss %2, %%xmm0\n\t" /* #XM: unmasked zero divide */
                     :
                     : "m"(mxcsr), "m"(one), "m"(zero)
                     : SSE_CLOBBERS);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "int3";
    say("cpu_exception: %s", mode);
    if (rt_streq(mode, "int3")) __asm__ volatile("int3");
    else if (rt_streq(mode, "int-3")) __asm__ volatile(".byte 0xcd, 0x03"); /* int $3 */
    else if (rt_streq(mode, "int-4")) __asm__ volatile("int $4");
    else if (rt_streq(mode, "stack-noncanonical"))
        __asm__ volatile("movabsq $0xdead000000000000, %%rsp\n\tpushq $0" ::: "memory");
    else if (rt_streq(mode, "x87-divide")) x87_divide_by_zero();
    else if (rt_streq(mode, "sse-divide")) sse_divide_by_zero();
    else {
        say("FAIL: cpu_exception: unknown mode %s", mode);
        return 2;
    }
    say("FAIL: cpu_exception survived %s", mode);
    return 1;
}
