/* syscall_bad_pointers — system calls handed kernel, wild, non-canonical, unaligned and
 * overflowing pointers and lengths answer with Linux's errno and never hurt the caller.
 *
 * Needs stdout to be a pipe, a terminal or a serial console — something that really copies the
 * bytes (Linux's /dev/null never reads the buffer, so write(NULL) "succeeds" there) — and stdin
 * readable (an empty pipe or /dev/null will do; reads here only use pointers that fail the range
 * check, which Linux makes before looking at the file). Nothing in here is ever written to stdout except
 * the check lines: every bad write fails before a single byte is copied. */
#include "rt.h"

static const unsigned long wild[] = {
    KERNEL_TEXT, KERNEL_TEXT_ENTRY, KERNEL_DIRECT_MAP, NONCANONICAL, 0x0000800000000000UL,
    USER_TOP_PAGE, 0xfffffffffffff000UL,
};
static const char *const wild_name[] = {
    "kernel text", "kernel entry", "kernel direct map", "non-canonical", "first non-canonical (2^47)",
    "top user page (above TASK_SIZE_MAX)", "last page of the address space",
};
#define NWILD (sizeof wild / sizeof wild[0])

static char what[160];
static const char *named(const char *call, const char *name)
{
    struct rt_buf o = { .n = 0 };
    rt_puts(&o, call);
    rt_puts(&o, " with ");
    rt_puts(&o, name);
    rt_puts(&o, " -> EFAULT");
    if (o.n >= sizeof what) o.n = sizeof what - 1;
    rt_memcpy(what, o.b, o.n);
    what[o.n] = 0;
    return what;
}

/* Every call that takes a user buffer, handed `bad`: each must answer EFAULT. */
static void all_calls(unsigned long bad, const char *name)
{
    expect(sys_write(1, (void *)bad, 8), -EFAULT, named("write", name));
    expect(sys_read(0, (void *)bad, 8), -EFAULT, named("read", name));
    expect(sys2(NR_clock_gettime, CLOCK_MONOTONIC, bad), -EFAULT, named("clock_gettime", name));
    expect(sys2(NR_getrusage, RUSAGE_SELF, bad), -EFAULT, named("getrusage", name));
    expect(sys1(NR_uname, bad), -EFAULT, named("uname", name));
    expect(sys3(NR_getrandom, bad, 16, 0), -EFAULT, named("getrandom", name));
    struct rt_iovec iov = { (const void *)bad, 8 };
    expect(sys3(NR_writev, 1, &iov, 1), -EFAULT, named("writev of an iovec", name));
    expect(sys3(NR_writev, 1, bad, 1), -EFAULT, named("writev with the iovec array at", name));
}

/* Usage: syscall_bad_pointers [ADDR...] — each ADDR (decimal or 0x-hex) is tested like the
 * built-in wild pointers: give it where the kernel under test really keeps its memory. */
int main(int argc, char **argv)
{
    static const char line[] = "syscall_bad_pointers: unaligned buffer ok\n";
    char scratch[64];

    for (unsigned long i = 0; i < NWILD; i++) all_calls(wild[i], wild_name[i]);
    for (int i = 1; i < argc; i++) {
        unsigned long a = rt_parse(argv[i], 0);
        if (!check(a != 0, "an ADDR argument parses")) continue;
        say("syscall_bad_pointers: also trying %p", (void *)a);
        all_calls(a, argv[i]);
    }

    /* NULL and unmapped user pointers: access_ok passes, the copy faults. */
    expect(sys_write(1, (void *)0, 8), -EFAULT, "write from NULL -> EFAULT");
    expect(sys_write(1, (void *)0, 0), 0, "write of 0 bytes from NULL -> 0");
    expect(sys2(NR_clock_gettime, CLOCK_MONOTONIC, 0), -EFAULT, "clock_gettime into NULL -> EFAULT");
    expect(sys2(NR_getrusage, RUSAGE_SELF, 0), -EFAULT, "getrusage into NULL -> EFAULT");
    expect(sys1(NR_uname, 0), -EFAULT, "uname into NULL -> EFAULT");
    long page = map_anon(2 * PAGE, RW);
    expect_ok(page, "mmap 2 pages");
    expect(sys_munmap(page + PAGE, PAGE), 0, "munmap the second page");
    expect(sys_write(1, (void *)(page + PAGE), 8), -EFAULT, "write from an unmapped user page -> EFAULT");
    expect(sys2(NR_clock_gettime, CLOCK_MONOTONIC, page + PAGE - 8), -EFAULT,
           "clock_gettime into a timespec straddling into an unmapped page -> EFAULT");
    expect(sys_mprotect(page, PAGE, PROT_READ), 0, "make the first page read-only");
    expect(sys2(NR_clock_gettime, CLOCK_MONOTONIC, page), -EFAULT, "clock_gettime into a read-only page -> EFAULT");
    expect(sys_mprotect(page, PAGE, PROT_NONE), 0, "make the first page PROT_NONE");
    expect(sys_write(1, (void *)page, 8), -EFAULT, "write from a PROT_NONE page -> EFAULT");
    sys_munmap(page, PAGE);

    /* Overflowing lengths: pointer + length wraps past 2^64 or runs above the user range. */
    expect(sys_write(1, line, (unsigned long)-1), -EFAULT, "write with length 2^64 - 1 -> EFAULT");
    expect(sys_write(1, line, 0UL - (unsigned long)line + 16), -EFAULT,
           "write whose pointer + length wraps to 16 -> EFAULT");
    expect(sys_write(1, line, 0x8000000000000000UL), -EFAULT, "write with length 2^63 -> EFAULT");
    expect(sys_read(0, scratch, (unsigned long)-1), -EFAULT, "read with length 2^64 - 1 -> EFAULT");
    expect(sys_write(1, (void *)(USER_TOP_PAGE - 8), 16), -EFAULT,
           "write straddling the top of the user range -> EFAULT");

    /* Unaligned pointers are fine: x86_64 Linux has no alignment rule for user buffers. */
    char ts_buf[sizeof(struct rt_timespec) + 8];
    expect(sys2(NR_clock_gettime, CLOCK_MONOTONIC, ts_buf + 3), 0, "clock_gettime into an unaligned timespec -> 0");
    char ru_buf[sizeof(struct rt_rusage) + 8];
    expect(sys2(NR_getrusage, RUSAGE_SELF, ru_buf + 1), 0, "getrusage into an unaligned rusage -> 0");
    char text[sizeof line + 1];
    rt_memcpy(text + 1, line, sizeof line - 1);
    expect(sys_write(1, text + 1, sizeof line - 1), (long)(sizeof line - 1), "write from an unaligned buffer");

    /* The FS base must be a canonical user address. */
    expect(sys2(NR_arch_prctl, ARCH_SET_FS, KERNEL_TEXT), -EPERM, "arch_prctl(ARCH_SET_FS, kernel address) -> EPERM");
    expect(sys2(NR_arch_prctl, ARCH_SET_FS, NONCANONICAL), -EPERM, "arch_prctl(ARCH_SET_FS, non-canonical) -> EPERM");
    expect(sys2(NR_arch_prctl, ARCH_GET_FS, KERNEL_TEXT), -EFAULT, "arch_prctl(ARCH_GET_FS, kernel address) -> EFAULT");
    return finish("syscall_bad_pointers");
}
