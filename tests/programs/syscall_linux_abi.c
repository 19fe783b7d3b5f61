/* syscall_linux_abi — the non-memory corners of the system-call ABI where a kernel can easily
 * differ from Linux (issue 8).
 *
 * Usage: syscall_linux_abi [as-init-child]
 *   as-init-child: the program was started by init (tools/run-linux, our kernel): getppid is 1.
 *
 * - The call number is RAX's low 32 bits, as an int: (1 << 32) | 39 is getpid; a negative or
 *   x32-flagged number is ENOSYS.
 * - read / write check the buffer's range before its length: a kernel address is EFAULT even
 *   for 0 bytes, NULL with 0 bytes is 0; the descriptor is checked before that (EBADF).
 * - writev checks every vector before writing anything: a kernel address in any vector is
 *   EFAULT and nothing is written; a negative length anywhere is EINVAL before that.
 * - getrandom into a buffer that runs into an unmapped page returns the bytes before it;
 *   GRND_INSECURE | GRND_RANDOM is EINVAL; flags are an unsigned int.
 * - select clamps nfds to the descriptor table's size (bits above are ignored, no EINVAL);
 *   select, pselect6 and ppoll write the time left back into their timeout, not into a zero
 *   one, and a timeout they cannot write back is no error.
 */
#include "rt.h"

#define NR_getppid 110
#define NR_select 23
#define NR_pselect6 270
#define NR_ppoll 271
#define NR_dup2 33
#define NR_close 3
#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#define GRND_INSECURE 0x4
#define POLLOUT 0x004
/* Written by a writev that must fail: it must never reach stdout. */
#define LEAK_LINE "syscall_linux_abi: LEAKED by a failing writev\n"

struct pollfd { int fd; short events, revents; };

static unsigned long fd_bits[8192 / 64];

static void set_bit(unsigned long *set, int fd) { set[fd / 64] |= 1UL << (fd % 64); }
static void clear_bits(void) { for (unsigned i = 0; i < sizeof fd_bits / 8; i++) fd_bits[i] = 0; }

static long usec(const struct rt_timeval *tv) { return tv->tv_sec * 1000000L + tv->tv_usec; }
static long nsec(const struct rt_timespec *ts) { return ts->tv_sec * 1000000000L + ts->tv_nsec; }

static void call_numbers(void)
{
    long pid = sys0(NR_getpid);
    expect(sys0((1L << 32) | NR_getpid), pid, "(1 << 32) | 39 is getpid");
    expect(sys0((long)0xffffffff00000000UL | NR_getpid), pid, "0xffffffff_00000027 is getpid");
    expect(sys0(0x80000000L | NR_getpid), -ENOSYS, "0x80000027 (a negative int) -> ENOSYS");
    expect(sys0((long)0xffffffff80000000UL | NR_getpid), -ENOSYS,
           "0xffffffff_80000027 -> ENOSYS");
    expect(sys0(0x40000000L | NR_getpid), -ENOSYS, "the x32 bit -> ENOSYS");
}

static void zero_length_buffers(void)
{
    expect(sys_write(1, (void *)KERNEL_TEXT, 0), -EFAULT, "write(1, kernel address, 0) -> EFAULT");
    expect(sys_read(0, (void *)KERNEL_TEXT, 0), -EFAULT, "read(0, kernel address, 0) -> EFAULT");
    expect(sys_write(1, (void *)NONCANONICAL, 0), -EFAULT, "write(1, non-canonical, 0) -> EFAULT");
    expect(sys_write(1, (void *)0, 0), 0, "write(1, NULL, 0) -> 0");
    expect(sys_read(0, (void *)0, 0), 0, "read(0, NULL, 0) -> 0");
    expect(sys_write(9, (void *)KERNEL_TEXT, 0), -EBADF, "write(closed fd, kernel address, 0) -> EBADF");
    expect(sys_read(9, (void *)KERNEL_TEXT, 0), -EBADF, "read(closed fd, kernel address, 0) -> EBADF");
}

static void writev_all_or_nothing(void)
{
    static const char leak[] = LEAK_LINE;
    struct rt_iovec bad_second[2] = { { leak, sizeof leak - 1 }, { (void *)KERNEL_TEXT, 4 } };
    expect(sys3(NR_writev, 1, bad_second, 2), -EFAULT, "writev(good, kernel address) -> EFAULT");
    struct rt_iovec empty_bad[2] = { { leak, sizeof leak - 1 }, { (void *)KERNEL_TEXT, 0 } };
    expect(sys3(NR_writev, 1, empty_bad, 2), -EFAULT,
           "writev(good, kernel address of length 0) -> EFAULT");
    struct rt_iovec bad_last[3] = { { leak, sizeof leak - 1 }, { leak, 0 }, { (void *)NONCANONICAL, 1 } };
    expect(sys3(NR_writev, 1, bad_last, 3), -EFAULT, "writev(good, empty, non-canonical) -> EFAULT");
    struct rt_iovec negative[2] = { { (void *)KERNEL_TEXT, 1 }, { leak, (unsigned long)-1 } };
    expect(sys3(NR_writev, 1, negative, 2), -EINVAL,
           "writev(kernel address, negative length) -> EINVAL (lengths first)");
    static const char fine[] = "syscall_linux_abi: writev of two good vectors\n";
    struct rt_iovec good[2] = { { fine, 20 }, { fine + 20, sizeof fine - 1 - 20 } };
    expect(sys3(NR_writev, 1, good, 2), (long)sizeof fine - 1, "writev of two good vectors");
}

static void getrandom_partial(void)
{
    long m = map_anon(2 * PAGE, RW);
    if (!expect_ok(m, "mmap two pages")) return;
    expect(sys_munmap((unsigned long)m + PAGE, PAGE), 0, "unmap the second page");
    unsigned char *p = (unsigned char *)m;
    expect(sys3(NR_getrandom, p + PAGE - 96, 200, 0), 96,
           "getrandom across the end of a mapping -> the bytes before it (96)");
    expect(sys3(NR_getrandom, p + PAGE - 95, 200, 0), 95, "getrandom from an odd address -> 95");
    expect(sys3(NR_getrandom, p + PAGE, 200, 0), -EFAULT, "getrandom into the unmapped page -> EFAULT");
    expect(sys3(NR_getrandom, p, 16, GRND_INSECURE | GRND_RANDOM), -EINVAL,
           "getrandom GRND_INSECURE | GRND_RANDOM -> EINVAL");
    expect(sys3(NR_getrandom, p, 16, GRND_INSECURE), 16, "getrandom GRND_INSECURE -> 16");
    expect(sys3(NR_getrandom, p, 16, GRND_RANDOM | GRND_NONBLOCK), 16,
           "getrandom GRND_RANDOM | GRND_NONBLOCK -> 16");
    expect(sys3(NR_getrandom, p, 16, 0x8), -EINVAL, "getrandom with an unknown flag -> EINVAL");
    expect(sys3(NR_getrandom, p, 16, 1L << 32), 16, "getrandom flags are an unsigned int");
    expect(sys3(NR_getrandom, KERNEL_TEXT, 0, 0), -EFAULT, "getrandom(kernel address, 0) -> EFAULT");
    expect(sys3(NR_getrandom, 0, 0, 0), 0, "getrandom(NULL, 0) -> 0");
    sys_munmap((unsigned long)m, PAGE);
}

static void select_clamps_nfds(void)
{
    struct rt_timeval zero = { 0, 0 };
    clear_bits();
    set_bit(fd_bits, 1);
    expect(sys6(NR_select, 5000, 0, (long)fd_bits, 0, (long)&zero, 0), 1,
           "select(5000, stdout writable) -> 1 (nfds clamped)");
    clear_bits();
    expect(sys6(NR_select, 5000, 0, 0, 0, (long)&zero, 0), 0, "select(5000, no sets) -> 0");
    expect(sys6(NR_select, -1, 0, 0, 0, (long)&zero, 0), -EINVAL, "select(-1) -> EINVAL");
    set_bit(fd_bits, 4000);
    expect(sys6(NR_select, 5000, (long)fd_bits, 0, 0, (long)&zero, 0), 0,
           "select ignores a bit beyond the descriptor table (fd 4000)");
    clear_bits();
    set_bit(fd_bits, 40);
    expect(sys6(NR_select, 5000, (long)fd_bits, 0, 0, (long)&zero, 0), -EBADF,
           "select of closed fd 40 (inside the table) -> EBADF");
    /* dup2 to 700 grows Linux's table to 1024 descriptors: fd 1000 is now inside it. */
    expect(sys2(NR_dup2, 1, 700), 700, "dup2(1, 700)");
    clear_bits();
    set_bit(fd_bits, 1000);
    expect(sys6(NR_select, 5000, (long)fd_bits, 0, 0, (long)&zero, 0), -EBADF,
           "after dup2 to 700, select of closed fd 1000 -> EBADF");
    sys1(NR_close, 700);
}

static void timeouts_written_back(void)
{
    struct rt_timeval tv = { 0, 50000 };
    expect(sys6(NR_select, 0, 0, 0, 0, (long)&tv, 0), 0, "select(0) with 50 ms -> 0");
    check(tv.tv_sec == 0 && tv.tv_usec == 0, "select wrote back 0 time left after its timeout");
    clear_bits();
    set_bit(fd_bits, 1);
    tv.tv_sec = 5; tv.tv_usec = 0;
    expect(sys6(NR_select, 2, 0, (long)fd_bits, 0, (long)&tv, 0), 1, "select(stdout) with 5 s -> 1");
    check(usec(&tv) < 5000000 && usec(&tv) > 4000000, "select wrote back the time left (< 5 s)");
    struct rt_timeval zero = { 0, 0 };
    set_bit(fd_bits, 1);
    expect(sys6(NR_select, 2, 0, (long)fd_bits, 0, (long)&zero, 0), 1, "select with a zero timeout");
    check(zero.tv_sec == 0 && zero.tv_usec == 0, "a zero timeout stays zero");
    struct rt_timespec ts = { 5, 0 };
    set_bit(fd_bits, 1);
    expect(sys6(NR_pselect6, 2, 0, (long)fd_bits, 0, (long)&ts, 0), 1, "pselect6(stdout) with 5 s -> 1");
    check(nsec(&ts) < 5000000000L && nsec(&ts) > 4000000000L, "pselect6 wrote back the time left");
    struct pollfd out = { 1, POLLOUT, 0 };
    ts.tv_sec = 5; ts.tv_nsec = 0;
    expect(sys6(NR_ppoll, (long)&out, 1, (long)&ts, 0, 8, 0), 1, "ppoll(stdout) with 5 s -> 1");
    check(nsec(&ts) < 5000000000L && nsec(&ts) > 4000000000L, "ppoll wrote back the time left");
    /* A timeout in read-only memory: the result stands. */
    long page = map_anon(PAGE, RW);
    if (!expect_ok(page, "mmap a page")) return;
    struct rt_timeval *ro = (struct rt_timeval *)page;
    ro->tv_sec = 5; ro->tv_usec = 0;
    expect(sys_mprotect((unsigned long)page, PAGE, PROT_READ), 0, "make the timeout read-only");
    set_bit(fd_bits, 1);
    expect(sys6(NR_select, 2, 0, (long)fd_bits, 0, page, 0), 1,
           "select with a read-only timeout -> 1 (the write-back is skipped)");
    check(ro->tv_sec == 5 && ro->tv_usec == 0, "the read-only timeout is unchanged");
    sys_munmap((unsigned long)page, PAGE);
}

int main(int argc, char **argv)
{
    int as_init_child = argc > 1 && rt_streq(argv[1], "as-init-child");
    call_numbers();
    zero_length_buffers();
    writev_all_or_nothing();
    getrandom_partial();
    select_clamps_nfds();
    timeouts_written_back();
    long parent = sys0(NR_getppid);
    if (as_init_child) expect(parent, 1, "getppid of init's child -> 1");
    else check(parent > 0, "getppid -> a pid");
    return finish("syscall_linux_abi");
}
