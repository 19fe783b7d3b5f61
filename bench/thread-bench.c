/* thread-bench — the thread and signal figures of issue 10 §3, from user space, on any
 * Linux-compatible kernel (the host, Linux 6.1 under QEMU through tools/run-linux, ours through
 * tools/run-elf):
 *
 *   thread-create-join    pthread_create of a thread that returns at once + pthread_join
 *   futex-handoff         two threads pass a turn back and forth through one futex word
 *                         (FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE); per hand-off, i.e. per
 *                         one thread waking the other and going to sleep itself
 *   sigsegv-round-trip    write to a read-only page -> SIGSEGV (SA_SIGINFO; si_addr and si_code
 *                         SEGV_ACCERR checked) -> the handler mprotects it read-write -> return
 *                         (rt_sigreturn) -> the write is retried and lands; per round trip,
 *                         including the mprotect that makes the page read-only again
 *
 *     thread-bench [reps-scale] [case,...|all]
 *
 * Each case runs in a child process, so a kernel that cannot run it (no threads, no futex, no
 * signal delivery: the child is killed or gets an error) costs only that case; a case still
 * running after CASE_TIMEOUT_S seconds is killed by a watcher process (no alarm() needed).
 *
 * Output, one line per case (the median repetition, nanoseconds per operation):
 *     PROC case ns reps
 * or, when the case could not run:
 *     PROC case n/a REASON            REASON: ENOSYS, EAGAIN, ... (a call failed), signal-N
 *                                     (the child was killed by signal N), timeout, wrong (a
 *                                     check failed: e.g. si_addr not the page)
 * The format is process-bench's, so bench/compare.py reads both alike. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-timing.h"

#define PAGE_SIZE 4096UL
/* <linux/futex.h>'s values (musl-gcc has no kernel headers). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define MAX_SAMPLES 1024
#define CASE_TIMEOUT_S 60

static int scale = 1;
static const char *only;


/* A case's answer, written by the child to the parent through a pipe. */
struct answer {
    long ns;     /* median, or -1 */
    int reps;
    char reason[24];
};

static struct answer measured(long *samples, int n)
{
    struct answer a = { .reps = n };
    a.ns = bench_median(samples, n);
    return a;
}

static struct answer failed(const char *reason)
{
    struct answer a = { .ns = -1 };
    snprintf(a.reason, sizeof a.reason, "%s", reason);
    return a;
}

static struct answer failed_errno(int error)
{
    const char *name = error == ENOSYS ? "ENOSYS" : error == EAGAIN ? "EAGAIN"
                     : error == EINVAL ? "EINVAL" : error == ENOMEM ? "ENOMEM"
                     : error == EPERM ? "EPERM" : 0;
    char word[24];
    if (name) return failed(name);
    snprintf(word, sizeof word, "errno-%d", error);
    return failed(word);
}

static long samples[MAX_SAMPLES];

/* ---------------------------------------------------------------- thread create + join */

static void *return_at_once(void *arg) { return arg; }

static struct answer thread_create_join(void)
{
    int reps = 100 * scale;
    if (reps > MAX_SAMPLES) reps = MAX_SAMPLES;
    for (int i = 0; i < reps; i++) {
        pthread_t thread;
        void *result = 0;
        long start = bench_now_ns();
        int error = pthread_create(&thread, 0, return_at_once, &samples[i]);
        if (error) return failed_errno(error);
        error = pthread_join(thread, &result);
        if (error) return failed_errno(error);
        samples[i] = bench_now_ns() - start;
        if (result != &samples[i]) return failed("wrong");
    }
    return measured(samples, reps);
}

/* ---------------------------------------------------------------- futex hand-off */

/* Whose turn it is: 0 the main thread's, 1 the partner's. */
static volatile int turn;
static volatile int partner_error;
static int handoffs_total;

static long futex(volatile int *word, int op, int value)
{
    return syscall(SYS_futex, word, op, value, 0, 0, 0);
}

/* Waits until the turn is `mine`; 0, or the errno of a failed wait. */
static int wait_for_turn(int mine)
{
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != mine) {
        if (futex(&turn, FUTEX_WAIT_PRIVATE, !mine) != 0 && errno != EAGAIN && errno != EINTR)
            return errno;
    }
    return 0;
}

static int pass_turn(int to)
{
    __atomic_store_n(&turn, to, __ATOMIC_RELEASE);
    return futex(&turn, FUTEX_WAKE_PRIVATE, 1) < 0 ? errno : 0;
}

static void *partner(void *arg)
{
    (void)arg;
    for (int i = 0; i < handoffs_total; i++) {
        int error = wait_for_turn(1);
        if (!error) error = pass_turn(0);
        if (error) {
            partner_error = error;
            pass_turn(0);
            return 0;
        }
    }
    return 0;
}

static struct answer futex_handoff(void)
{
    /* One round = two hand-offs (main -> partner -> main). */
    int batches = 21, rounds = 100 * scale;
    handoffs_total = batches * rounds;
    pthread_t thread;
    int error = pthread_create(&thread, 0, partner, 0);
    if (error) return failed_errno(error);
    for (int b = 0; b < batches; b++) {
        long start = bench_now_ns();
        for (int r = 0; r < rounds; r++) {
            error = pass_turn(1);
            if (!error) error = wait_for_turn(0);
            if (error) return failed_errno(error);
            if (partner_error) return failed_errno(partner_error);
        }
        samples[b] = (bench_now_ns() - start) / (2L * rounds);
    }
    pthread_join(thread, 0);
    return measured(samples, batches);
}

/* ---------------------------------------------------------------- SIGSEGV round trip */

static unsigned char *protected_page;
static volatile int handler_wrong;
static volatile long faults;

static void repair(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    (void)context;
    if (info->si_addr != protected_page || info->si_code != SEGV_ACCERR) handler_wrong = 1;
    faults++;
    if (mprotect(protected_page, PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) handler_wrong = 1;
}

static struct answer sigsegv_round_trip(void)
{
    protected_page = mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);
    if (protected_page == MAP_FAILED) return failed_errno(errno);
    protected_page[0] = 1; /* backed before timing: the round trip, not the first fault */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = repair;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, 0) != 0) return failed_errno(errno);
    int batches = 21, per_batch = 50 * scale;
    for (int b = 0; b < batches; b++) {
        long start = bench_now_ns();
        for (int i = 0; i < per_batch; i++) {
            if (mprotect(protected_page, PAGE_SIZE, PROT_READ) != 0) return failed_errno(errno);
            ((volatile unsigned char *)protected_page)[0] = (unsigned char)i;
        }
        samples[b] = (bench_now_ns() - start) / per_batch;
    }
    if (handler_wrong || faults != (long)batches * per_batch) return failed("wrong");
    return measured(samples, batches);
}

/* ---------------------------------------------------------------- running a case */

static void run_case(const char *name, struct answer (*body)(void))
{
    if (!bench_wanted(only, name)) return;
    int channel[2];
    if (pipe(channel) != 0) return;
    pid_t child = fork();
    if (child == 0) {
        close(channel[0]);
        struct answer a = body();
        if (write(channel[1], &a, sizeof a) != sizeof a) _exit(1);
        _exit(0);
    }
    close(channel[1]);
    if (child < 0) {
        printf("PROC %s n/a fork-failed\n", name);
        close(channel[0]);
        return;
    }
    pid_t watcher = fork();
    if (watcher == 0) {
        struct timespec t = { .tv_sec = CASE_TIMEOUT_S };
        while (nanosleep(&t, &t) != 0 && errno == EINTR) {
        }
        kill(child, SIGKILL);
        _exit(0);
    }
    struct answer a;
    ssize_t got = read(channel[0], &a, sizeof a);
    close(channel[0]);
    int status = 0;
    waitpid(child, &status, 0);
    int timed_out = 0;
    if (watcher > 0) {
        timed_out = waitpid(watcher, 0, WNOHANG) == watcher;
        if (!timed_out) {
            kill(watcher, SIGKILL);
            waitpid(watcher, 0, 0);
        }
    }
    if (got == sizeof a && a.ns >= 0)
        printf("PROC %s %ld %d\n", name, a.ns, a.reps);
    else if (got == sizeof a)
        printf("PROC %s n/a %s\n", name, a.reason);
    else if (timed_out)
        printf("PROC %s n/a timeout\n", name);
    else if (WIFSIGNALED(status))
        printf("PROC %s n/a signal-%d\n", name, WTERMSIG(status));
    else
        printf("PROC %s n/a exit-%d\n", name, WEXITSTATUS(status));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc >= 2) scale = atoi(argv[1]) > 0 ? atoi(argv[1]) : 1;
    if (argc >= 3) only = argv[2];
    printf("# thread-bench scale %d\n", scale);
    fflush(stdout);
    run_case("thread-create-join", thread_create_join);
    run_case("futex-handoff", futex_handoff);
    run_case("sigsegv-round-trip", sigsegv_round_trip);
    return 0;
}
