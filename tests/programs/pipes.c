/* pipes — pipe/pipe2 between processes (issue 9 §4, §6):
 *   - 1,000 round trips parent -> child -> parent, a counter incremented by the child;
 *   - 4 MiB from a child in writes of varying sizes, checked by length and FNV-1a hash, then end
 *     of file once the last writer has closed (the parent closed its own copy first);
 *   - no reader left: EPIPE when SIGPIPE is ignored; killed by SIGPIPE (wait status) by default;
 *   - O_NONBLOCK: EAGAIN reading an empty pipe and writing a full one, the data intact, end of
 *     file still 0; F_GETFL shows O_NONBLOCK and the access modes; pipe2(O_CLOEXEC) sets
 *     FD_CLOEXEC on both ends (F_GETFD), plain pipe2 does not; unknown flags → EINVAL;
 *   - poll and select: readiness of empty / non-empty / widowed pipes (POLLIN, POLLOUT, POLLHUP,
 *     POLLERR), and both block until the other process writes; a blocking read and a blocking
 *     write wait for the other side;
 *   - dup2 onto stdin and stdout in a child that upper-cases its input.
 * Status 0. */
#include "rt.h"
#include "proc.h"

#define ROUND_TRIPS 1000
#define TRANSFER (4 * MiB)
#define CHUNK_MAX 65536UL
#define DELAY_MS 50
#define BLOCKED_NS (30 * 1000000L) /* a wait for a 50 ms delay took at least this long */
#define FNV_OFFSET 0xcbf29ce484222325UL
#define FNV_PRIME 0x100000001b3UL

static unsigned char chunk[CHUNK_MAX];

/* The transfer's bytes: byte i of the stream is a function of i alone. */
static unsigned char stream_byte(unsigned long i) { return (unsigned char)((i * 2654435761UL) >> 13); }
static unsigned long fnv(unsigned long h, const unsigned char *p, unsigned long n)
{
    while (n--) h = (h ^ *p++) * FNV_PRIME;
    return h;
}

static int same(const char *a, const char *b, unsigned long n)
{
    while (n--)
        if (*a++ != *b++) return 0;
    return 1;
}

static void round_trips(void)
{
    int down[2], up[2];
    if (!expect(sys_pipe2(down, 0), 0, "pipe2") || !expect(sys_pipe2(up, 0), 0, "pipe2")) return;
    long pid = sys_fork();
    if (pid == 0) {
        sys_close(down[1]);
        sys_close(up[0]);
        unsigned n;
        while (read_full(down[0], &n, sizeof n) == sizeof n) {
            n++;
            if (write_full(up[1], &n, sizeof n) != sizeof n) sys_exit_group(2);
        }
        sys_exit_group(0); /* end of file: the parent closed its end */
    }
    if (!expect_ok(pid, "fork")) return;
    sys_close(down[0]);
    sys_close(up[1]);
    int wrong = 0;
    long start = now_ns();
    for (unsigned i = 0; i < ROUND_TRIPS; i++) {
        unsigned n = i * 2, back = 0;
        if (write_full(down[1], &n, sizeof n) != sizeof n || read_full(up[0], &back, sizeof back) != sizeof back
            || back != n + 1) {
            say("FAIL: round trip %u: sent %u, got %u", i, n, back);
            wrong++;
            break;
        }
    }
    long took = now_ns() - start;
    check(wrong == 0, "1,000 round trips");
    sys_close(down[1]);
    reap_expect(pid, 0, "round-trip child sees end of file");
    sys_close(up[0]);
    say("pipes: %d round trips, %ld us each", ROUND_TRIPS, took / ROUND_TRIPS / 1000);
}

static void transfer(void)
{
    int p[2];
    if (!expect(sys_pipe2(p, 0), 0, "pipe2")) return;
    long pid = sys_fork();
    if (pid == 0) {
        sys_close(p[0]);
        unsigned long sent = 0, size = 1;
        while (sent < TRANSFER) {
            unsigned long n = size < TRANSFER - sent ? size : TRANSFER - sent;
            for (unsigned long i = 0; i < n; i++) chunk[i] = stream_byte(sent + i);
            if (write_full(p[1], chunk, n) != (long)n) sys_exit_group(2);
            sent += n;
            size = size * 3 + 7;
            if (size > CHUNK_MAX) size = size % CHUNK_MAX + 1;
        }
        sys_exit_group(0);
    }
    if (!expect_ok(pid, "fork")) return;
    sys_close(p[1]); /* else end of file never comes: we would be a writer ourselves */
    unsigned long got = 0, hash = FNV_OFFSET, want = FNV_OFFSET;
    long r;
    while ((r = sys_read(p[0], chunk, CHUNK_MAX)) > 0) {
        hash = fnv(hash, chunk, (unsigned long)r);
        got += (unsigned long)r;
    }
    expect(r, 0, "read returns 0 (end of file) after the writer exits");
    for (unsigned long i = 0; i < TRANSFER; i++) {
        unsigned char b = stream_byte(i);
        want = fnv(want, &b, 1);
    }
    check(got == TRANSFER, "4 MiB arrive");
    check(hash == want, "4 MiB arrive in order, unchanged (FNV-1a)");
    expect(sys_read(p[0], chunk, 1), 0, "read at end of file again");
    reap_expect(pid, 0, "4 MiB writer");
    sys_close(p[0]);
    say("pipes: %lu bytes, hash %lx, then end of file", got, hash);
}

static void no_reader(void)
{
    int p[2];
    if (!expect(sys_pipe2(p, 0), 0, "pipe2")) return;
    sys_close(p[0]);
    expect(set_disposition(SIGPIPE, SIG_IGN), 0, "SIGPIPE -> SIG_IGN");
    expect(sys_write(p[1], "x", 1), -EPIPE, "write with no reader, SIGPIPE ignored");
    expect(set_disposition(SIGPIPE, SIG_DFL), 0, "SIGPIPE -> SIG_DFL");
    long pid = sys_fork();
    if (pid == 0) {
        sys_write(p[1], "x", 1);
        sys_exit_group(0); /* not reached: SIGPIPE's default action ends the process */
    }
    if (expect_ok(pid, "fork")) reap_expect_signal(pid, SIGPIPE, "write with no reader, SIGPIPE default");
    sys_close(p[1]);

    /* The reader is another process that exits. */
    if (!expect(sys_pipe2(p, 0), 0, "pipe2")) return;
    pid = sys_fork();
    if (pid == 0) sys_exit_group(0);
    sys_close(p[0]);
    reap_expect(pid, 0, "reader child");
    expect(set_disposition(SIGPIPE, SIG_IGN), 0, "SIGPIPE -> SIG_IGN");
    expect(sys_write(p[1], "x", 1), -EPIPE, "write after the reading process exited");
    expect(set_disposition(SIGPIPE, SIG_DFL), 0, "SIGPIPE -> SIG_DFL");
    sys_close(p[1]);
    say("pipes: EPIPE with SIGPIPE ignored, death by SIGPIPE by default");
}

static void flags(void)
{
    int p[2];
    expect(sys_pipe2(p, 0x1), -EINVAL, "pipe2 with an unknown flag");
    if (!expect(sys_pipe2(p, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)")) return;
    expect(sys_fcntl(p[0], F_GETFD, 0), FD_CLOEXEC, "O_CLOEXEC: read end FD_CLOEXEC");
    expect(sys_fcntl(p[1], F_GETFD, 0), FD_CLOEXEC, "O_CLOEXEC: write end FD_CLOEXEC");
    expect(sys_fcntl(p[0], F_GETFL, 0) & 3, 0, "read end O_RDONLY");
    expect(sys_fcntl(p[1], F_GETFL, 0) & 3, 1, "write end O_WRONLY");
    sys_close(p[0]);
    sys_close(p[1]);
    if (!expect(sys_pipe2(p, 0), 0, "pipe2(0)")) return;
    expect(sys_fcntl(p[0], F_GETFD, 0), 0, "plain pipe: no FD_CLOEXEC");
    expect(sys_fcntl(p[1], F_GETFL, 0) & O_NONBLOCK, 0, "plain pipe: blocking");
    sys_close(p[0]);
    sys_close(p[1]);

    if (!expect(sys_pipe2(p, O_NONBLOCK), 0, "pipe2(O_NONBLOCK)")) return;
    expect(sys_fcntl(p[0], F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK, "F_GETFL shows O_NONBLOCK");
    expect(sys_read(p[0], chunk, 1), -EAGAIN, "O_NONBLOCK read of an empty pipe");
    unsigned long written = 0;
    long r;
    for (unsigned i = 0; i < 4096; i++) chunk[i] = (unsigned char)i;
    while ((r = sys_write(p[1], chunk, 4096)) > 0) written += (unsigned long)r;
    expect(r, -EAGAIN, "O_NONBLOCK write to a full pipe");
    check(written >= 4096, "a pipe holds at least PIPE_BUF (4096) bytes");
    unsigned long back = 0;
    int wrong = 0;
    while ((r = sys_read(p[0], chunk, 4096)) > 0) {
        for (long i = 0; i < r; i++) wrong += chunk[i] != (unsigned char)(back + (unsigned long)i);
        back += (unsigned long)r;
    }
    expect(r, -EAGAIN, "O_NONBLOCK read once drained");
    check(back == written && wrong == 0, "everything written comes back in order");
    sys_close(p[1]);
    expect(sys_read(p[0], chunk, 1), 0, "O_NONBLOCK read with no writer: end of file");
    sys_close(p[0]);
    say("pipes: pipe2 flags; capacity %lu bytes with O_NONBLOCK", written);
}

struct rt_timeval_s { long tv_sec, tv_usec; };
#define FDSET_WORDS 16
static long sys_select(long nfds, unsigned long *r, unsigned long *w, struct rt_timeval_s *t)
{
    return sys6(NR_select, nfds, (long)r, (long)w, 0, (long)t, 0);
}

/* A child that sleeps DELAY_MS and then writes one byte into fd (or reads one from it). */
static long delayed(int fd, int do_write, int other)
{
    long pid = sys_fork();
    if (pid == 0) {
        sys_close(other);
        sleep_ms(DELAY_MS);
        char b = 'w';
        if (do_write) sys_write(fd, &b, 1);
        else {
            while (sys_read(fd, chunk, CHUNK_MAX) > 0) {}
        }
        sys_exit_group(0);
    }
    return pid;
}

static void readiness(void)
{
    int p[2];
    if (!expect(sys_pipe2(p, 0), 0, "pipe2")) return;
    struct rt_pollfd f[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
    expect(sys_poll(f, 2, 0), 1, "poll: only the write end of an empty pipe is ready");
    check(f[0].revents == 0 && f[1].revents == POLLOUT, "poll revents: read end none, write end POLLOUT");
    sys_write(p[1], "a", 1);
    f[0].revents = f[1].revents = 0;
    expect(sys_poll(f, 2, 0), 2, "poll: both ends ready with data in the pipe");
    check(f[0].revents == POLLIN, "poll: POLLIN with data");
    sys_read(p[0], chunk, 1);

    /* Blocking until the other process writes: poll, select, read. */
    long pid = delayed(p[1], 1, p[0]);
    long start = now_ns();
    f[0].revents = 0;
    expect(sys_poll(f, 1, 5000), 1, "poll blocks until the child writes");
    long took = now_ns() - start;
    check(f[0].revents == POLLIN, "poll woke with POLLIN");
    check(took >= BLOCKED_NS, "poll waited for the writer");
    sys_read(p[0], chunk, 1);
    reap_expect(pid, 0, "delayed writer (poll)");

    pid = delayed(p[1], 1, p[0]);
    unsigned long set[FDSET_WORDS] = { 0 };
    set[p[0] / 64] |= 1UL << (p[0] % 64);
    struct rt_timeval_s t = { 5, 0 };
    start = now_ns();
    expect(sys_select(p[0] + 1, set, 0, &t), 1, "select blocks until the child writes");
    took = now_ns() - start;
    check(set[p[0] / 64] & (1UL << (p[0] % 64)), "select reports the read end");
    check(took >= BLOCKED_NS, "select waited for the writer");
    sys_read(p[0], chunk, 1);
    reap_expect(pid, 0, "delayed writer (select)");

    pid = delayed(p[1], 1, p[0]);
    start = now_ns();
    expect(sys_read(p[0], chunk, 1), 1, "a blocking read waits for the writer");
    check(now_ns() - start >= BLOCKED_NS, "the read blocked until the child wrote");
    reap_expect(pid, 0, "delayed writer (read)");

    /* A blocking write into a full pipe waits for the reader. */
    unsigned long full = 0;
    sys_fcntl(p[1], F_SETFL, O_NONBLOCK);
    long r;
    while ((r = sys_write(p[1], chunk, 4096)) > 0) full += (unsigned long)r;
    sys_fcntl(p[1], F_SETFL, 0);
    pid = delayed(p[0], 0, p[1]);
    start = now_ns();
    expect(sys_write(p[1], chunk, 4096), 4096, "a blocking write to a full pipe completes");
    check(now_ns() - start >= BLOCKED_NS, "the write blocked until the child read");
    sys_close(p[1]);
    reap_expect(pid, 0, "delayed reader");

    /* Widowed pipes: POLLHUP for the reader, POLLERR for the writer. */
    f[0].revents = 0;
    expect(sys_poll(f, 1, 0), 1, "poll of a read end with no writer");
    check(f[0].revents & POLLHUP, "POLLHUP on a read end with no writer");
    sys_close(p[0]);
    if (!expect(sys_pipe2(p, 0), 0, "pipe2")) return;
    sys_close(p[0]);
    struct rt_pollfd g = { p[1], POLLOUT, 0 };
    expect(sys_poll(&g, 1, 0), 1, "poll of a write end with no reader");
    check(g.revents & POLLERR, "POLLERR on a write end with no reader");
    sys_close(p[1]);
    say("pipes: poll/select readiness; poll, select, read and write block until the other side acts");
}

static void redirected_child(void)
{
    int in[2], out[2];
    if (!expect(sys_pipe2(in, 0), 0, "pipe2") || !expect(sys_pipe2(out, 0), 0, "pipe2")) return;
    long pid = sys_fork();
    if (pid == 0) {
        /* stdout is the pipe from here on: report only through the exit status. */
        if (sys_dup2(in[0], 0) != 0 || sys_dup2(out[1], 1) != 1) sys_exit_group(2);
        sys_close(in[0]); sys_close(in[1]); sys_close(out[0]); sys_close(out[1]);
        char buf[256];
        long r;
        while ((r = sys_read(0, buf, sizeof buf)) > 0) {
            for (long i = 0; i < r; i++)
                if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 'a' + 'A');
            if (write_full(1, buf, (unsigned long)r) != r) sys_exit_group(3);
        }
        sys_exit_group(r == 0 ? 0 : 4);
    }
    if (!expect_ok(pid, "fork")) return;
    sys_close(in[0]);
    sys_close(out[1]);
    static const char text[] = "hello through dup2, stdin to stdout\n";
    expect(write_full(in[1], text, sizeof text - 1), (long)sizeof text - 1, "write the child's stdin");
    sys_close(in[1]);
    char got[128];
    long n = 0, r;
    while ((r = sys_read(out[0], got + n, sizeof got - (unsigned long)n)) > 0) n += r;
    expect(r, 0, "end of file on the child's stdout");
    static const char want[] = "HELLO THROUGH DUP2, STDIN TO STDOUT\n";
    check(n == (long)sizeof want - 1 && same(got, want, sizeof want - 1), "the child's stdout is its stdin upper-cased");
    reap_expect(pid, 0, "dup2 child");
    sys_close(out[0]);
    say("pipes: dup2 onto stdin and stdout in a child");
}

int main(void)
{
    round_trips();
    transfer();
    no_reader();
    flags();
    readiness();
    redirected_child();
    return finish("pipes");
}
