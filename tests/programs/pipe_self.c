/* pipe_self — a pipe used by one process alone (issue 9 §4), everything Linux answers without a
 * second process:
 *   - pipe / pipe2: two descriptors, the lowest free; O_CLOEXEC and O_NONBLOCK kept (F_GETFD,
 *     F_GETFL: O_RDONLY / O_WRONLY, no O_LARGEFILE), other flags EINVAL, a bad array EFAULT;
 *   - bytes in order through write/read, writev/readv; a read returns what is there; a read
 *     of an empty pipe with O_NONBLOCK is EAGAIN, EOF (0) once the last writer is closed;
 *   - capacity 65,536 bytes (byte-at-a-time O_NONBLOCK writes until EAGAIN); a PIPE_BUF write
 *     that does not fit is EAGAIN (nothing written), a larger one partial; reading one byte
 *     of a full pipe does not make room for even one byte (Linux's page slots);
 *   - EPIPE when no reader is left, with SIGPIPE ignored (the default action is
 *     `pipe_self sigpipe`: status 141);
 *   - dup / dup2 / dup3 / F_DUPFD_CLOEXEC onto pipe ends: a duplicate keeps the end open;
 *     F_SETFL O_NONBLOCK shared by duplicates; the wrong direction is EBADF;
 *   - fstat S_IFIFO, lseek / pread ESPIPE;
 *   - poll / select: POLLIN only with bytes, POLLOUT while there is room, POLLHUP on the read
 *     end without writers (reported unasked), POLLERR on the write end without readers;
 *     a poll with nothing ready waits its timeout (>= 50 ms of 50).
 * Status 0 (`sigpipe`: 141, killed by SIGPIPE). */
#include "rt.h"
#include "signals.h"

enum {
    NR_close = 3, NR_fstat = 5, NR_poll = 7, NR_lseek = 8, NR_pread64 = 17, NR_readv = 19,
    NR_pipe = 22, NR_select = 23, NR_dup = 32, NR_dup2 = 33, NR_fcntl = 72, NR_pipe2 = 293,
    NR_dup3 = 292,
};
#define EAGAIN 11
#define EPIPE 32
#define ESPIPE 29
#define SIGPIPE 13
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000
#define O_DIRECT 040000
#define O_LARGEFILE 0100000
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define S_IFMT 0170000
#define S_IFIFO 0010000
#define POLLIN 0x001
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define CAPACITY 65536
#define PIPE_BUF 4096

struct rt_pollfd { int fd; short events, revents; };
struct rt_stat {
    unsigned long dev, ino, nlink;
    unsigned mode, uid, gid, pad0;
    unsigned long rdev;
    long size, blksize, blocks;
    unsigned long times[6];
    long reserved[3];
};

static long sys_close(long fd) { return sys1(NR_close, fd); }
static long sys_fcntl(long fd, long cmd, long arg) { return sys3(NR_fcntl, fd, cmd, arg); }
static long sys_pipe2(int *fds, long flags) { return sys2(NR_pipe2, fds, flags); }

static long monotonic_ms(void)
{
    struct rt_timespec t;
    sys2(NR_clock_gettime, CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static short poll_one(int fd, short events, int timeout)
{
    struct rt_pollfd p = { fd, events, 0 };
    long r = sys3(NR_poll, &p, 1, timeout);
    return r < 0 ? (short)-1 : p.revents;
}

static char buffer[CAPACITY + 8192];

static void creation(void)
{
    int fds[2] = { -1, -1 };
    expect(sys1(NR_pipe, fds), 0, "pipe");
    check(fds[0] == 3 && fds[1] == 4, "pipe takes the lowest free descriptors, 3 and 4");
    expect(sys_fcntl(fds[0], F_GETFL, 0), 0, "F_GETFL of the read end: O_RDONLY");
    expect(sys_fcntl(fds[1], F_GETFL, 0), 1, "F_GETFL of the write end: O_WRONLY");
    expect(sys_fcntl(fds[0], F_GETFD, 0), 0, "pipe: no FD_CLOEXEC");
    sys_close(fds[0]);
    sys_close(fds[1]);
    expect(sys_pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0, "pipe2(O_CLOEXEC | O_NONBLOCK)");
    expect(sys_fcntl(fds[0], F_GETFD, 0), FD_CLOEXEC, "pipe2 O_CLOEXEC: FD_CLOEXEC");
    expect(sys_fcntl(fds[1], F_GETFL, 0), 1 | O_NONBLOCK, "pipe2 O_NONBLOCK in F_GETFL");
    sys_close(fds[0]);
    sys_close(fds[1]);
    expect(sys_pipe2(fds, 1), -EINVAL, "pipe2 with O_WRONLY: EINVAL");
    expect(sys_pipe2(fds, O_LARGEFILE), -EINVAL, "pipe2 with O_LARGEFILE: EINVAL");
    expect(sys_pipe2(fds, 0x80000000L), -EINVAL, "pipe2 with an unknown bit: EINVAL");
    expect(sys_pipe2((int *)8, 0), -EFAULT, "pipe2 into a bad array: EFAULT");
    expect(sys_fcntl(3, F_GETFD, 0), -EBADF, "EFAULT left no descriptor behind");
    say("pipe_self: pipe and pipe2 flags as Linux");
}

static void transfer(void)
{
    int fds[2];
    expect(sys_pipe2(fds, O_NONBLOCK), 0, "pipe2(O_NONBLOCK)");
    char in[300], out[300];
    for (int i = 0; i < 300; i++) in[i] = (char)(i * 7);
    expect(sys_write(fds[1], in, 100), 100, "write 100");
    expect(sys_write(fds[1], in + 100, 200), 200, "write 200");
    expect(sys_read(fds[0], out, 50), 50, "read 50");
    expect(sys_read(fds[0], out + 50, 1000), 250, "read what is there: 250");
    int same = 1;
    for (int i = 0; i < 300; i++) same &= in[i] == out[i];
    check(same, "bytes come out in order");
    expect(sys_read(fds[0], out, 10), -EAGAIN, "empty pipe, O_NONBLOCK: EAGAIN");
    expect(sys_write(fds[1], in, 0), 0, "write of 0 bytes");
    expect(sys_read(fds[0], out, 0), 0, "read of 0 bytes");
    struct rt_iovec parts[3] = { { in, 10 }, { in + 10, 0 }, { in + 10, 20 } };
    expect(sys3(NR_writev, fds[1], parts, 3), 30, "writev of 30");
    char a[5], b[40];
    struct rt_iovec into[2] = { { a, 5 }, { b, 40 } };
    expect(sys3(NR_readv, fds[0], into, 2), 30, "readv fills both vectors");
    check(a[4] == in[4] && b[0] == in[5] && b[24] == in[29], "readv bytes in order");
    expect(sys_write(fds[0], in, 1), -EBADF, "write to the read end: EBADF");
    expect(sys_read(fds[1], out, 1), -EBADF, "read from the write end: EBADF");
    expect(sys_write(fds[1], (void *)8, 1), -EFAULT, "write from a bad buffer: EFAULT");
    expect(sys_write(fds[1], in, 3), 3, "write 3");
    expect(sys_read(fds[0], (void *)8, 3), -EFAULT, "read into a bad buffer: EFAULT");
    expect(sys_read(fds[0], out, 3), 3, "the bytes stayed after EFAULT");
    sys_close(fds[1]);
    expect(sys_read(fds[0], out, 10), 0, "no writer: end of file");
    sys_close(fds[0]);
    say("pipe_self: bytes in order, EAGAIN, end of file");
}

static void capacity(void)
{
    int fds[2];
    expect(sys_pipe2(fds, O_NONBLOCK), 0, "pipe2(O_NONBLOCK)");
    long total = 0, r;
    while ((r = sys_write(fds[1], buffer, 1)) == 1) total++;
    expect(r, -EAGAIN, "full pipe: EAGAIN");
    expect(total, CAPACITY, "capacity 65536 bytes");
    check(!(poll_one(fds[1], POLLOUT, 0) & POLLOUT), "full pipe: no POLLOUT");
    expect(sys_read(fds[0], buffer, 1), 1, "read one byte of a full pipe");
    expect(sys_write(fds[1], buffer, 1), -EAGAIN, "one byte read frees no slot: EAGAIN");
    expect(sys_read(fds[0], buffer, PIPE_BUF - 1), PIPE_BUF - 1, "read the rest of a page");
    check(poll_one(fds[1], POLLOUT, 0) & POLLOUT, "a free slot: POLLOUT");
    expect(sys_write(fds[1], buffer, PIPE_BUF + 1), PIPE_BUF, "a large write is partial");
    sys_close(fds[0]);
    sys_close(fds[1]);

    expect(sys_pipe2(fds, O_NONBLOCK), 0, "pipe2(O_NONBLOCK)");
    expect(sys_write(fds[1], buffer, CAPACITY - 100), CAPACITY - 100, "write 65436");
    expect(sys_write(fds[1], buffer, 200), -EAGAIN, "200 bytes (<= PIPE_BUF) do not fit: EAGAIN");
    expect(sys_write(fds[1], buffer, 100), 100, "100 bytes fit the last page");
    sys_close(fds[0]);
    sys_close(fds[1]);
    expect(sys_pipe2(fds, 0), 0, "pipe2");
    expect(sys_write(fds[1], buffer, CAPACITY), CAPACITY, "a blocking write of exactly 64 KiB");
    expect(sys_read(fds[0], buffer, sizeof buffer), CAPACITY, "read all 64 KiB at once");
    sys_close(fds[0]);
    sys_close(fds[1]);
    say("pipe_self: capacity 65536, PIPE_BUF atomic, partial writes");
}

static void broken_pipe(void)
{
    int fds[2];
    expect(set_disposition(SIGPIPE, SIG_IGN), 0, "ignore SIGPIPE");
    expect(sys_pipe2(fds, 0), 0, "pipe2");
    check(poll_one(fds[1], POLLOUT, 0) == POLLOUT, "empty pipe: POLLOUT only");
    sys_close(fds[0]);
    expect(sys_write(fds[1], "x", 1), -EPIPE, "no reader: EPIPE");
    expect(sys_write(fds[1], "x", 0), 0, "no reader, 0 bytes: 0");
    check(poll_one(fds[1], POLLOUT, 0) == (POLLOUT | POLLERR), "no reader: POLLOUT | POLLERR");
    check(poll_one(fds[1], 0, 0) == POLLERR, "POLLERR reported unasked");
    sys_close(fds[1]);
    expect(set_disposition(SIGPIPE, SIG_DFL), 0, "SIGPIPE back to SIG_DFL");
    say("pipe_self: EPIPE with SIGPIPE ignored");
}

static void duplicates(void)
{
    int fds[2];
    expect(sys_pipe2(fds, 0), 0, "pipe2");
    long copy = sys1(NR_dup, fds[1]);
    expect_ok(copy, "dup of the write end");
    sys_close(fds[1]);
    expect(sys_write(copy, "ab", 2), 2, "the duplicate writes");
    expect(sys2(NR_dup2, fds[0], 20), 20, "dup2 of the read end to 20");
    expect(sys3(NR_dup3, fds[0], 21, O_CLOEXEC), 21, "dup3 O_CLOEXEC to 21");
    expect(sys_fcntl(21, F_GETFD, 0), FD_CLOEXEC, "dup3's FD_CLOEXEC");
    expect(sys_fcntl(fds[0], F_DUPFD_CLOEXEC, 30), 30, "F_DUPFD_CLOEXEC from 30");
    expect(sys_fcntl(30, F_GETFD, 0), FD_CLOEXEC, "F_DUPFD_CLOEXEC's FD_CLOEXEC");
    expect(sys_fcntl(30, F_SETFD, 0), 0, "F_SETFD 0");
    expect(sys_fcntl(30, F_GETFD, 0), 0, "FD_CLOEXEC cleared");
    expect(sys_fcntl(20, F_SETFL, O_NONBLOCK), 0, "F_SETFL O_NONBLOCK on one duplicate");
    expect(sys_fcntl(fds[0], F_GETFL, 0), O_NONBLOCK, "duplicates share O_NONBLOCK");
    char c[4];
    expect(sys_read(20, c, 1), 1, "read through dup2's copy");
    expect(sys_read(21, c, 1), 1, "read through dup3's copy");
    expect(sys_read(30, c, 4), -EAGAIN, "empty: EAGAIN through the shared O_NONBLOCK");
    expect(sys_fcntl(20, F_SETFL, 0), 0, "F_SETFL 0");
    expect(sys_fcntl(fds[0], F_GETFL, 0), 0, "O_NONBLOCK cleared for all");
    expect(sys2(NR_dup2, copy, fds[0]), fds[0], "dup2 the write end over the read end");
    expect(sys_fcntl(fds[0], F_GETFL, 0), 1, "fds[0] is now a write end");
    sys_close(copy);
    expect(sys_write(fds[0], "z", 1), 1, "the write end lives on in fds[0]");
    sys_close(fds[0]);
    check(poll_one(20, POLLIN, 0) == (POLLIN | POLLHUP), "bytes and no writer: POLLIN | POLLHUP");
    expect(sys_read(20, c, 4), 1, "the last byte");
    check(poll_one(20, POLLIN, 0) == POLLHUP, "no writer: POLLHUP unasked");
    sys_close(20);
    sys_close(21);
    sys_close(30);
    say("pipe_self: dup, dup2, dup3, F_DUPFD_CLOEXEC, shared O_NONBLOCK");
}

static void files(void)
{
    int fds[2];
    expect(sys_pipe2(fds, 0), 0, "pipe2");
    struct rt_stat st;
    expect(sys2(NR_fstat, fds[0], &st), 0, "fstat of the read end");
    check((st.mode & S_IFMT) == S_IFIFO, "fstat: S_IFIFO");
    expect(sys3(NR_lseek, fds[0], 0, 0), -ESPIPE, "lseek: ESPIPE");
    expect(sys4(NR_pread64, fds[0], buffer, 1, 0), -ESPIPE, "pread64: ESPIPE");
    expect(sys3(NR_ioctl, fds[1], 0x5401, buffer), -ENOTTY, "TCGETS: ENOTTY");
    check(poll_one(fds[0], POLLIN | POLLOUT, 0) == 0, "empty read end: nothing");
    long before = monotonic_ms();
    check(poll_one(fds[0], POLLIN, 50) == 0, "poll with nothing ready times out");
    long waited = monotonic_ms() - before;
    check(waited >= 50, "the poll waited its 50 ms");
    expect(sys_write(fds[1], "q", 1), 1, "write one byte");
    check(poll_one(fds[0], POLLIN | POLLOUT, 1000) == POLLIN, "readable: POLLIN at once");
    unsigned long read_set = 1UL << fds[0], write_set = 1UL << fds[1];
    struct rt_timeval zero = { 0, 0 };
    expect(sys6(NR_select, 8, (long)&read_set, (long)&write_set, 0, (long)&zero, 0), 2, "select: both ready");
    check(read_set == 1UL << fds[0] && write_set == 1UL << fds[1], "select's sets");
    sys_close(fds[1]);
    sys_read(fds[0], buffer, 1);
    read_set = 1UL << fds[0];
    expect(sys6(NR_select, 8, (long)&read_set, 0, 0, (long)&zero, 0), 1, "select: end of file is readable");
    sys_close(fds[0]);
    struct rt_pollfd closed = { fds[0], POLLIN, 0 };
    expect(sys3(NR_poll, &closed, 1, 0), 1, "poll of a closed pipe descriptor");
    check(closed.revents == POLLNVAL, "POLLNVAL");
    say("pipe_self: fstat S_IFIFO, ESPIPE, poll and select readiness (waited %ld ms)", waited);
}

int main(int argc, char **argv)
{
    if (argc > 1 && rt_streq(argv[1], "sigpipe")) {
        int fds[2];
        sys_pipe2(fds, 0);
        sys_close(fds[0]);
        say("pipe_self: writing to a pipe without a reader, SIGPIPE at its default");
        sys_write(fds[1], "x", 1);
        say("FAIL: survived SIGPIPE");
        return 1;
    }
    creation();
    transfer();
    capacity();
    broken_pipe();
    duplicates();
    files();
    return finish("pipe_self");
}
