/* rt.h — the tiny runtime every test program here is written against.
 *
 * Every system call goes through the inline-asm `syscall` wrappers below and returns Linux's raw
 * answer: a value >= 0, or -errno. Output is formatted here and written with one write(2) per
 * call, so a program killed half-way leaves only whole lines behind.
 *
 * The same source builds two ways (see programs.mk):
 *   - with musl (`musl-gcc -static`): musl's start-up code calls main();
 *   - freestanding (`gcc -static -nostdlib -ffreestanding -DRT_RAW`): this header supplies
 *     _start, memset/memcpy/memmove/memcmp, and nothing else runs before main().
 * Nothing in here depends on a libc, so both builds make exactly the same system calls from main.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Linux x86_64 system-call numbers (arch/x86/entry/syscalls/syscall_64.tbl) ---- */
enum {
    NR_read = 0, NR_write = 1, NR_mmap = 9, NR_mprotect = 10, NR_munmap = 11, NR_brk = 12,
    NR_rt_sigaction = 13, NR_ioctl = 16, NR_writev = 20, NR_mremap = 25, NR_mincore = 27,
    NR_madvise = 28, NR_getpid = 39, NR_exit = 60, NR_uname = 63, NR_getrusage = 98,
    NR_getuid = 102, NR_arch_prctl = 158, NR_set_tid_address = 218, NR_clock_gettime = 228,
    NR_exit_group = 231, NR_getrandom = 318,
};

/* ---- constants (uapi headers; values are the ABI) ---- */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_NOHUGEPAGE 15
#define RUSAGE_SELF 0
#define CLOCK_MONOTONIC 1
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_SET_GS 0x1001
#define ARCH_GET_GS 0x1004

#define EPERM 1
#define ENOENT 2
#define EBADF 9
#define ENOMEM 12
#define EFAULT 14
#define EEXIST 17
#define EINVAL 22
#define ENOTTY 25
#define ENOSYS 38

#define PAGE 4096UL
#define KiB 1024UL
#define MiB (1024UL * 1024UL)
#define GiB (1024UL * MiB)
#define TiB (1024UL * GiB)

/* Addresses that no user program may touch on Linux x86_64 (4-level paging): the start of the
 * kernel image mapping, the start of the direct map of physical memory (without KASLR), a
 * non-canonical address (bits 63..47 not all equal, also non-canonical under 5-level paging), and
 * the first address above the user range (TASK_SIZE_MAX = 2^47 - 4096). */
#define KERNEL_TEXT 0xffffffff80000000UL
#define KERNEL_TEXT_ENTRY 0xffffffff81000000UL
#define KERNEL_DIRECT_MAP 0xffff888000000000UL
#define NONCANONICAL 0xdead000000000000UL
#define USER_TOP_PAGE 0x00007ffffffff000UL

/* ---- the system call instruction ---- */
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Thin typed wrappers: each returns the kernel's raw answer (-errno on failure). */
static inline long sys_write(int fd, const void *buf, unsigned long n) { return sys3(NR_write, fd, buf, n); }
static inline long sys_read(int fd, void *buf, unsigned long n) { return sys3(NR_read, fd, buf, n); }
static inline long sys_mmap(unsigned long addr, unsigned long len, long prot, long flags)
{
    return sys6(NR_mmap, (long)addr, (long)len, prot, flags, -1, 0);
}
static inline long sys_munmap(unsigned long addr, unsigned long len) { return sys2(NR_munmap, addr, len); }
static inline long sys_mprotect(unsigned long addr, unsigned long len, long prot) { return sys3(NR_mprotect, addr, len, prot); }
static inline long sys_madvise(unsigned long addr, unsigned long len, long advice) { return sys3(NR_madvise, addr, len, advice); }
static inline long sys_brk(unsigned long addr) { return sys1(NR_brk, addr); }
static inline __attribute__((noreturn)) void sys_exit_group(int status)
{
    for (;;) sys1(NR_exit_group, status);
}

/* Mapping helpers: anonymous private memory, or -errno. */
static inline long map_anon(unsigned long len, long prot) { return sys_mmap(0, len, prot, MAP_PRIVATE | MAP_ANONYMOUS); }
#define RW (PROT_READ | PROT_WRITE)
static inline int is_err(long r) { return r < 0 && r > -4096; }

/* struct rusage / timespec / iovec, as the ABI lays them out. */
struct rt_timeval { long tv_sec, tv_usec; };
struct rt_rusage {
    struct rt_timeval ru_utime, ru_stime;
    long ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap, ru_inblock,
        ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};
struct rt_timespec { long tv_sec, tv_nsec; };
struct rt_iovec { const void *base; unsigned long len; };

/* ru_minflt of this process, or -1 when getrusage fails. */
static inline long minor_faults(void)
{
    struct rt_rusage ru;
    long r = sys2(NR_getrusage, RUSAGE_SELF, &ru);
    return r < 0 ? -1 : ru.ru_minflt;
}

/* ---- byte helpers (the compiler may also emit calls to these) ---- */
#ifdef RT_RAW
#define RT_MEMFN __attribute__((used))
#else
#define RT_MEMFN static __attribute__((unused))
#endif
RT_MEMFN void *rt_memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = d; /* volatile: keep GCC from turning this loop into memset() */
    while (n--) *p++ = (unsigned char)c;
    return d;
}
RT_MEMFN void *rt_memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}
#ifdef RT_RAW
void *memset(void *d, int c, size_t n) __attribute__((alias("rt_memset")));
void *memcpy(void *d, const void *s, size_t n) __attribute__((alias("rt_memcpy")));
__attribute__((used)) void *memmove(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q) while (n--) *p++ = *q++;
    else while (n--) p[n] = q[n];
    return d;
}
__attribute__((used)) int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p - *q;
    return 0;
}
#endif

static inline size_t rt_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline int rt_streq(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

/* Parses a decimal or 0x-prefixed hexadecimal number; returns `fallback` for NULL or junk. */
static inline unsigned long rt_parse(const char *s, unsigned long fallback)
{
    if (!s || !*s) return fallback;
    unsigned long v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!*s) return fallback;
        for (; *s; s++) {
            int d = *s >= '0' && *s <= '9' ? *s - '0'
                  : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                  : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
            if (d < 0) return fallback;
            v = v * 16 + (unsigned long)d;
        }
        return v;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return fallback;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    return v;
}

/* ---- formatted output: %s %c %d %u %x %ld %lu %lx %p %% and %E (an -errno value by name) ---- */
static __attribute__((unused)) const char *rt_errname(long r)
{
    switch (r) {
    case 0: return "0";
    case -EPERM: return "-EPERM";
    case -ENOENT: return "-ENOENT";
    case -EBADF: return "-EBADF";
    case -ENOMEM: return "-ENOMEM";
    case -EFAULT: return "-EFAULT";
    case -EEXIST: return "-EEXIST";
    case -EINVAL: return "-EINVAL";
    case -ENOTTY: return "-ENOTTY";
    case -ENOSYS: return "-ENOSYS";
    default: return 0;
    }
}

struct rt_buf { char b[512]; size_t n; };
static __attribute__((unused)) void rt_putc(struct rt_buf *o, char c)
{
    if (o->n < sizeof o->b) o->b[o->n++] = c;
}
static __attribute__((unused)) void rt_puts(struct rt_buf *o, const char *s)
{
    while (*s) rt_putc(o, *s++);
}
static __attribute__((unused)) void rt_putu(struct rt_buf *o, unsigned long v, unsigned base)
{
    char t[24];
    int i = 0;
    do t[i++] = "0123456789abcdef"[v % base]; while ((v /= base) != 0);
    while (i) rt_putc(o, t[--i]);
}
static __attribute__((unused)) void rt_vformat(struct rt_buf *o, const char *f, va_list ap)
{
    for (; *f; f++) {
        if (*f != '%') { rt_putc(o, *f); continue; }
        int lng = 0;
        if (f[1] == 'l') { lng = 1; f++; }
        switch (*++f) {
        case 's': { const char *s = va_arg(ap, const char *); rt_puts(o, s ? s : "(null)"); break; }
        case 'c': rt_putc(o, (char)va_arg(ap, int)); break;
        case 'd': {
            long v = lng ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) { rt_putc(o, '-'); rt_putu(o, 0UL - (unsigned long)v, 10); }
            else rt_putu(o, (unsigned long)v, 10);
            break;
        }
        case 'u': rt_putu(o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10); break;
        case 'x': rt_putu(o, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16); break;
        case 'p': rt_puts(o, "0x"); rt_putu(o, (unsigned long)va_arg(ap, void *), 16); break;
        case 'E': {
            long v = va_arg(ap, long);
            const char *name = rt_errname(v);
            if (name) rt_puts(o, name);
            else if (v < 0) { rt_putc(o, '-'); rt_putu(o, 0UL - (unsigned long)v, 10); }
            else { rt_puts(o, "0x"); rt_putu(o, (unsigned long)v, 16); }
            break;
        }
        case '%': rt_putc(o, '%'); break;
        default: rt_putc(o, '?'); break;
        }
    }
}

/* Prints one formatted line (a newline is added) with a single write to stdout. */
static __attribute__((unused)) void say(const char *f, ...)
{
    struct rt_buf o = { .n = 0 };
    va_list ap;
    va_start(ap, f);
    rt_vformat(&o, f, ap);
    va_end(ap);
    if (o.n == sizeof o.b) o.n--;
    o.b[o.n++] = '\n';
    sys_write(1, o.b, o.n);
}

/* ---- checks: every failure prints one `FAIL: ...` line; finish() prints the verdict ---- */
static int rt_checks __attribute__((unused)), rt_failures __attribute__((unused));

/* Records a check; on failure prints `FAIL: <what>`. Returns `ok`. */
static __attribute__((unused)) int check(int ok, const char *what)
{
    rt_checks++;
    if (!ok) { rt_failures++; say("FAIL: %s", what); }
    return ok;
}

/* Checks a system call's raw answer against the one Linux gives. */
static __attribute__((unused)) int expect(long got, long want, const char *what)
{
    rt_checks++;
    if (got == want) return 1;
    rt_failures++;
    say("FAIL: %s: got %E, want %E", what, got, want);
    return 0;
}

/* Checks that a call succeeded (returned a value, not -errno). */
static __attribute__((unused)) int expect_ok(long got, const char *what)
{
    rt_checks++;
    if (!is_err(got)) return 1;
    rt_failures++;
    say("FAIL: %s: got %E, want success", what, got);
    return 0;
}

/* Prints `<name>: all N checks passed` (status 0) or `<name>: F of N checks failed` (status 1). */
static __attribute__((unused)) int finish(const char *name)
{
    if (rt_failures == 0) { say("%s: all %d checks passed", name, rt_checks); return 0; }
    say("%s: %d of %d checks failed", name, rt_failures, rt_checks);
    return 1;
}

/* ---- the freestanding entry point ---- */
#ifdef RT_RAW
/* No prototype: programs define main either as (void) or as (int, char **). */
int main();
__attribute__((used, noreturn)) void rt_start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    sys_exit_group(main(argc, argv));
}
/* The kernel enters with rsp -> argc, argv..., NULL, envp..., NULL, auxv. Keep that pointer,
 * align the stack for the call, and never return. */
__asm__(".text\n"
        ".global _start\n"
        ".type _start,@function\n"
        "_start:\n"
        "    xor %ebp, %ebp\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call rt_start_c\n"
        "    hlt\n");
#endif

#endif
