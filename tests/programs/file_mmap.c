/* file_mmap — mmap of a file (issue 11 §2), with the program's own file (argv[0]) as the file:
 *   - MAP_PRIVATE read-only, at offset 0 and at a page offset: the bytes read() returns;
 *   - MAP_PRIVATE writable: a write changes only this mapping (a second mapping, read() and
 *     a forked child's view keep the file's bytes); MADV_DONTNEED brings the file's page back;
 *   - MAP_SHARED read-only reads the file; mprotect and munmap of parts of a file mapping,
 *     MAP_FIXED of anonymous memory over one and of the file over anonymous memory, mremap
 *     growing one (the new page is the file's next page);
 *   - the last, partial page reads zeros past the end of the file; the page after it is
 *     SIGBUS (BUS_ADRERR, si_addr the address) for a handler, and kills without one;
 *   - /dev/zero maps as anonymous memory;
 *   - Linux's errno: EBADF for a closed descriptor, EACCES for PROT_WRITE MAP_SHARED of an
 *     O_RDONLY file and for any mapping of an O_WRONLY one, ENODEV for a directory, /dev/null
 *     and a pipe, EINVAL for a misaligned offset and an unknown type, EOPNOTSUPP for an
 *     unknown MAP_SHARED_VALIDATE flag.
 * Status 0 when every check passed. */
#include "rt.h"
#include "proc.h"
#include "signals.h"

#define NR_open 2
#define NR_close_ 3
#define NR_fstat 5
#define NR_lseek 8
#define O_RDONLY 0
#define O_WRONLY 1
#define O_DIRECTORY 0200000
#define ENODEV 19
#define EOPNOTSUPP 95
#define MAP_SYNC 0x80000
#define MREMAP_MAYMOVE 1
#define SIGBUS 7
#define BUS_ADRERR 2
#define ST_SIZE_OFFSET 48 /* struct stat's st_size on x86-64 */

static long sys_open(const char *path, long flags) { return sys3(NR_open, path, flags, 0); }
static long map_file(unsigned long addr, unsigned long len, long prot, long flags, long fd, long off)
{
    return sys6(NR_mmap, (long)addr, (long)len, prot, flags, fd, off);
}

static unsigned char file_page[2][PAGE];  /* the file's first two pages, as read() gives them */

static int same(const unsigned char *a, const unsigned char *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* A page's worth of the file at `offset`, through lseek and read. */
static long read_at(long fd, long offset, unsigned char *out, unsigned long n)
{
    if (sys3(NR_lseek, fd, offset, 0) != offset) return -1;
    return read_full((int)fd, out, n);
}

/* Where the SIGBUS handler leaves what it got: a shared page the parent reads after the
 * child is gone. */
static volatile long *bus_report;

void bus_restorer(void);
__asm__(".text\n"
        ".type bus_restorer,@function\n"
        "bus_restorer:\n"
        "    movl $15, %eax\n" /* NR_rt_sigreturn: never reached, the handler exits */
        "    syscall\n");

static void bus_handler(int sig, struct rt_siginfo *info, void *context)
{
    (void)context;
    bus_report[0] = sig;
    bus_report[1] = info->si_code;
    bus_report[2] = *(long *)((char *)info + 16); /* si_addr */
    sys_exit_group(42);
}

static void check_past_end(long fd, unsigned long size)
{
    unsigned long pages = (size + PAGE - 1) / PAGE;
    long p = map_file(0, (pages + 2) * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (!expect_ok(p, "mmap of the file and two pages past its end")) return;
    volatile unsigned char *m = (volatile unsigned char *)p;
    if (size % PAGE) {
        int zero = 1;
        for (unsigned long i = size; i < pages * PAGE; i++) zero &= m[i] == 0;
        check(zero, "the last page reads zeros past the end of the file");
    }
    unsigned long past = (unsigned long)p + pages * PAGE + 123;
    bus_report = (volatile long *)sys_mmap(0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS);
    long child = sys_fork();
    if (child == 0) {
        struct k_sigaction act = {
            .handler = (unsigned long)bus_handler,
            .flags = SA_SIGINFO | SA_RESTORER,
            .restorer = (unsigned long)bus_restorer,
        };
        sys_sigaction(SIGBUS, &act, 0);
        (void)*(volatile unsigned char *)past;
        sys_exit_group(1);
    }
    reap_expect(child, 42, "a read past the end of the file runs the SIGBUS handler");
    expect(bus_report[0], SIGBUS, "the signal past the end of the file");
    expect(bus_report[1], BUS_ADRERR, "its si_code");
    check(bus_report[2] == (long)past, "its si_addr is the address read");
    child = sys_fork();
    if (child == 0) {
        (void)*(volatile unsigned char *)(past + PAGE);
        sys_exit_group(1);
    }
    reap_expect_signal(child, SIGBUS, "a read two pages past the end, no handler: killed");
    sys_munmap(p, (pages + 2) * PAGE);
}

static void check_private(long fd)
{
    long p = map_file(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (!expect_ok(p, "mmap(PROT_READ, MAP_PRIVATE) of the file")) return;
    unsigned char *m = (unsigned char *)p;
    check(m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F', "the mapping starts with the ELF magic");
    check(same(m, file_page[0], 2 * PAGE), "the mapping holds what read() returns");
    long q = map_file(0, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, PAGE);
    if (expect_ok(q, "mmap at a page offset"))
        check(same((unsigned char *)q, file_page[1], PAGE), "offset 4096 maps the file's second page");
    sys_munmap(q, PAGE);

    long w = map_file(0, 2 * PAGE, RW, MAP_PRIVATE, fd, 0);
    if (!expect_ok(w, "mmap(PROT_READ|PROT_WRITE, MAP_PRIVATE) of the file")) return;
    volatile unsigned char *wm = (volatile unsigned char *)w;
    unsigned char first = file_page[0][0];
    wm[0] = (unsigned char)~first;
    wm[PAGE + 5] = 0x5a;
    check(m[0] == first, "a private write does not reach another mapping of the file");
    unsigned char again[PAGE];
    check(read_at(fd, 0, again, PAGE) == PAGE && again[0] == first, "nor the file");
    long child = sys_fork();
    if (child == 0) {
        int failures = rt_failures;
        check(wm[0] == (unsigned char)~first, "the child sees the parent's private write");
        wm[0] = 1;
        child_exit(failures);
    }
    reap_expect(child, 0, "the child of a private file mapping");
    check(wm[0] == (unsigned char)~first, "the child's write stays the child's");
    expect_ok(sys_madvise(w, PAGE, MADV_DONTNEED), "madvise(MADV_DONTNEED) of the written page");
    check(wm[0] == first, "after MADV_DONTNEED the private page is the file's again");
    check(wm[PAGE + 5] == 0x5a, "the page not advised keeps its write");
    sys_munmap(w, 2 * PAGE);
    sys_munmap(p, 2 * PAGE);
}

static void check_parts(long fd)
{
    long p = map_file(0, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (!expect_ok(p, "mmap(PROT_READ, MAP_SHARED) of an O_RDONLY file")) return;
    unsigned char *m = (unsigned char *)p;
    check(same(m, file_page[0], 2 * PAGE), "the shared mapping holds the file's bytes");
    expect(sys_mprotect(p + PAGE, PAGE, PROT_NONE), 0, "mprotect(PROT_NONE) of its middle page");
    expect(sys_mprotect(p + PAGE, PAGE, PROT_READ), 0, "and back to PROT_READ");
    check(same(m + PAGE, file_page[1], PAGE), "the middle page still holds the file's page");
    expect(sys_munmap(p + PAGE, PAGE), 0, "munmap of the middle page");
    check(same(m, file_page[0], PAGE), "the first page stays");
    long anon = sys_mmap(p + PAGE, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    expect(anon, p + PAGE, "MAP_FIXED anonymous memory in the hole");
    long over = sys_mmap(p, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    expect(over, p, "MAP_FIXED anonymous memory over the file's first page");
    check(m[0] == 0, "which reads zeros");
    long back = map_file(p + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, PAGE);
    expect(back, p + PAGE, "MAP_FIXED of the file over anonymous memory");
    check(same(m + PAGE, file_page[1], PAGE), "which reads the file's page");
    sys_munmap(p, 3 * PAGE);

    long one = map_file(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    long grown = sys6(NR_mremap, one, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0, 0);
    if (expect_ok(grown, "mremap growing a file mapping"))
        check(same((unsigned char *)grown, file_page[0], 2 * PAGE), "its new page is the file's next page");
    sys_munmap(grown, 2 * PAGE);
}

static void check_errors(long fd)
{
    expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, 99, 0), -EBADF, "a closed descriptor: EBADF");
    expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, -1, 0), -EBADF, "descriptor -1: EBADF");
    expect(map_file(0, PAGE, RW, MAP_SHARED, fd, 0), -EACCES, "PROT_WRITE MAP_SHARED of O_RDONLY: EACCES");
    expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100), -EINVAL, "a misaligned offset: EINVAL");
    expect(map_file(0, PAGE, PROT_READ, 0, fd, 0), -EINVAL, "no mapping type: EINVAL");
    expect(map_file(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0), -EOPNOTSUPP,
           "MAP_SHARED_VALIDATE with MAP_SYNC: EOPNOTSUPP");
    expect(map_file(0, 0, PROT_READ, MAP_PRIVATE, fd, 0), -EINVAL, "length 0: EINVAL");
    long dir = sys_open("/", O_RDONLY | O_DIRECTORY);
    if (expect_ok(dir, "open(\"/\")"))
        expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, dir, 0), -ENODEV, "a directory: ENODEV");
    sys_close(dir);
    long null = sys_open("/dev/null", O_RDONLY);
    if (expect_ok(null, "open(/dev/null)"))
        expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, null, 0), -ENODEV, "/dev/null: ENODEV");
    sys_close(null);
    null = sys_open("/dev/null", O_WRONLY);
    if (expect_ok(null, "open(/dev/null, O_WRONLY)"))
        expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, null, 0), -EACCES, "an O_WRONLY file: EACCES");
    sys_close(null);
    int pipe[2];
    if (expect_ok(sys_pipe2(pipe, 0), "pipe2")) {
        expect(map_file(0, PAGE, PROT_READ, MAP_PRIVATE, pipe[0], 0), -ENODEV, "a pipe: ENODEV");
        sys_close(pipe[0]);
        sys_close(pipe[1]);
    }
    long zero = sys_open("/dev/zero", 2);
    if (expect_ok(zero, "open(/dev/zero)")) {
        long z = map_file(0, 2 * PAGE, RW, MAP_PRIVATE, zero, 0);
        if (expect_ok(z, "mmap of /dev/zero")) {
            volatile unsigned char *zm = (volatile unsigned char *)z;
            check(zm[5] == 0 && zm[PAGE + 5] == 0, "/dev/zero maps zeros");
            zm[5] = 9;
            check(zm[5] == 9, "and is writable memory");
            sys_munmap(z, 2 * PAGE);
        }
        sys_close(zero);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    long fd = sys_open(argv[0], O_RDONLY);
    if (!expect_ok(fd, "open(argv[0])")) return finish("file_mmap");
    unsigned char status[144];
    expect(sys2(NR_fstat, fd, status), 0, "fstat");
    unsigned long size = *(unsigned long *)(status + ST_SIZE_OFFSET);
    check(size > 2 * PAGE, "the program is longer than two pages");
    expect(read_at(fd, 0, file_page[0], 2 * PAGE), 2 * PAGE, "read() of its first two pages");
    check_private(fd);
    check_parts(fd);
    check_past_end(fd, size);
    check_errors(fd);
    say("file_mmap: private, shared, partial and past-the-end mappings of a %lu-byte file", size);
    return finish("file_mmap");
}
