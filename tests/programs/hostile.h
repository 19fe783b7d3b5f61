/* hostile.h — shared by the hostile_* programs. Each one announces what it is about to do in one
 * line, does it, and must never get further: Linux kills it with SIGSEGV (shell status 139), and
 * so must our kernel (tools/run-elf maps "killed for a memory fault" to 139). If it survives it
 * prints `FAIL: survived ...` and exits 1. Addresses can be overridden by the first argument
 * (decimal or 0x-hex), e.g. to aim at where a particular kernel really lives. */
#ifndef HOSTILE_H
#define HOSTILE_H
#include "rt.h"

/* Hides a constant from the optimizer, so a deliberate bad access is compiled as written (GCC
 * turns a visible NULL dereference into a trap instruction, which would raise SIGILL). */
static inline void *opaque(unsigned long a)
{
    __asm__ volatile("" : "+r"(a));
    return (void *)a;
}

static inline unsigned long target(int argc, char **argv, unsigned long fallback)
{
    return rt_parse(argc > 1 ? argv[1] : 0, fallback);
}

static inline int survived(const char *name, const char *what)
{
    say("FAIL: %s survived %s", name, what);
    return 1;
}

static inline void call_at(unsigned long a)
{
    ((void (*)(void))opaque(a))();
}
#endif
