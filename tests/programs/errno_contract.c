/* errno_contract — the error answers of the memory system calls and of an unknown call.
 *
 * Usage: errno_contract [overcommit-always]
 * Every line compares the raw return value (-errno) against Linux's answer. The 1 TiB check
 * (a writable private reservation far beyond RAM + swap fails with ENOMEM) holds under Linux's
 * default heuristic overcommit (vm.overcommit_memory = 0) and under strict accounting (2); pass
 * `overcommit-always` to skip it on a host with vm.overcommit_memory = 1. */
#include "rt.h"

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

int main(int argc, char **argv)
{
    int overcommit_always = argc > 1 && rt_streq(argv[1], "overcommit-always");

    /* EINVAL */
    expect(sys_mmap(0, 0, RW, ANON), -EINVAL, "mmap length 0 -> EINVAL");
    expect(sys_mmap(0, PAGE, RW, MAP_ANONYMOUS), -EINVAL,
           "mmap with neither MAP_PRIVATE nor MAP_SHARED -> EINVAL");
    expect(sys_mmap(0x10000001UL, PAGE, RW, ANON | MAP_FIXED), -EINVAL, "mmap MAP_FIXED unaligned -> EINVAL");
    expect(sys_mmap(0x10000001UL, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), -EINVAL,
           "mmap MAP_FIXED_NOREPLACE unaligned -> EINVAL");
    expect(sys6(NR_mmap, 0, PAGE, RW, ANON, -1, 1), -EINVAL, "mmap with an unaligned offset -> EINVAL");
    expect(sys_munmap(0x10000001UL, PAGE), -EINVAL, "munmap unaligned -> EINVAL");
    expect(sys_munmap(0x10000000UL, 0), -EINVAL, "munmap length 0 -> EINVAL");
    expect(sys_munmap((unsigned long)-1, 1), -EINVAL, "munmap(-1, 1) -> EINVAL");
    expect(sys_munmap(-PAGE, PAGE), -EINVAL, "munmap of the last page of the address space -> EINVAL");
    expect(sys_munmap(KERNEL_TEXT, PAGE), -EINVAL, "munmap of a kernel address -> EINVAL");
    expect(sys_munmap(PAGE, (unsigned long)-PAGE), -EINVAL, "munmap with a length past the user range -> EINVAL");
    expect(sys_mprotect(0x10000001UL, PAGE, PROT_READ), -EINVAL, "mprotect unaligned -> EINVAL");
    long page = map_anon(PAGE, RW);
    expect_ok(page, "mmap one page");
    expect(sys_mprotect(page, PAGE, 0x100), -EINVAL, "mprotect with an unknown prot bit -> EINVAL");
    expect(sys_mprotect(page, 0, PROT_READ), 0, "mprotect length 0 -> 0");
    expect(sys_madvise(page, PAGE, 12345), -EINVAL, "madvise with an unknown advice -> EINVAL");

    /* ENOMEM */
    expect(sys_mmap(0, 256 * TiB, RW, ANON), -ENOMEM, "mmap larger than the user address space -> ENOMEM");
    expect(sys_mmap(0, (unsigned long)-PAGE, RW, ANON), -ENOMEM, "mmap length 2^64 - 4096 -> ENOMEM");
    expect(sys_mmap(0, (unsigned long)-1, RW, ANON), -ENOMEM,
           "mmap length 2^64 - 1 (page rounding overflows) -> ENOMEM");
    if (overcommit_always) {
        say("errno_contract: skipped the 1 TiB commit check (vm.overcommit_memory = 1)");
    } else {
        long huge = sys_mmap(0, 1 * TiB, RW, ANON);
        expect(huge, -ENOMEM, "mmap of 1 TiB writable private (beyond RAM + swap) -> ENOMEM");
        if (!is_err(huge)) sys_munmap((unsigned long)huge, 1 * TiB);
    }
    expect(sys_mmap(KERNEL_TEXT, PAGE, RW, ANON | MAP_FIXED), -ENOMEM, "mmap MAP_FIXED at a kernel address -> ENOMEM");
    expect(sys_mmap(USER_TOP_PAGE - PAGE, 2 * PAGE, RW, ANON | MAP_FIXED), -ENOMEM,
           "mmap MAP_FIXED crossing the top of the user range -> ENOMEM");
    expect(sys_munmap(page, PAGE), 0, "munmap the page");
    expect(sys_mprotect(page, PAGE, PROT_READ), -ENOMEM, "mprotect of an unmapped range -> ENOMEM");
    expect(sys_mprotect(KERNEL_TEXT, PAGE, PROT_READ), -ENOMEM, "mprotect of a kernel address -> ENOMEM");
    expect(sys_mprotect(-PAGE, 2 * PAGE, PROT_READ), -ENOMEM, "mprotect with a wrapping range -> ENOMEM");
    expect(sys_madvise(page, PAGE, MADV_DONTNEED), -ENOMEM, "madvise of an unmapped range -> ENOMEM");

    /* Linux's lenient answers, which a compatible kernel must copy (no error in these cases). */
    long r = sys_mmap(0, PAGE, RW, ANON | 0x800000);
    check(!is_err(r), "mmap ignores an unknown flag bit with MAP_PRIVATE");
    if (!is_err(r)) sys_munmap((unsigned long)r, PAGE);
    expect(sys_mmap(0, PAGE, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000), -EINVAL,
           "an unknown flag bit with MAP_SHARED_VALIDATE -> EINVAL");
    r = sys_mmap(0, PAGE, 0x100, ANON);
    check(!is_err(r), "mmap ignores an unknown prot bit (only mprotect rejects it)");
    if (!is_err(r)) sys_munmap((unsigned long)r, PAGE);
    r = sys_mmap(0, 1, RW, ANON);
    check(!is_err(r) && (r & (long)(PAGE - 1)) == 0, "mmap of 1 byte maps a whole page");
    if (!is_err(r)) {
        ((volatile char *)r)[PAGE - 1] = 1;
        expect(sys_munmap((unsigned long)r, 1), 0, "munmap of 1 byte unmaps the whole page");
        expect(sys_munmap((unsigned long)r, PAGE), 0, "munmap of an already unmapped page -> 0");
    }
    r = sys_mmap(KERNEL_TEXT, PAGE, RW, ANON);
    check(!is_err(r) && (unsigned long)r < USER_TOP_PAGE, "a kernel address as a mere hint is ignored");
    if (!is_err(r)) sys_munmap((unsigned long)r, PAGE);
    long probe = map_anon(2 * PAGE, RW);
    if (!is_err(probe)) {
        sys_munmap((unsigned long)probe, 2 * PAGE);
        expect(sys_mmap(probe + 123, PAGE, RW, ANON), probe,
               "an unaligned free hint (no MAP_FIXED) is rounded down to its page");
        sys_munmap((unsigned long)probe, PAGE);
    }

    /* ENOSYS */
    expect(sys0(999), -ENOSYS, "system call 999 -> ENOSYS");
    expect(sys0(1000), -ENOSYS, "system call 1000 -> ENOSYS");
    expect(sys6(-1, 0, 0, 0, 0, 0, 0), -ENOSYS, "system call -1 -> ENOSYS");
    expect(sys0(0x7fffffff), -ENOSYS, "system call 0x7fffffff -> ENOSYS");
    return finish("errno_contract");
}
