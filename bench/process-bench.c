/* process-bench — the process figures of issue 9 §6, from user space, on any Linux-compatible
 * kernel (the host, Linux 6.1 under QEMU through tools/run-linux, ours through tools/run-elf):
 *
 *   fork-exit-wait        fork of this small process, the child _exits at once, wait4 reaps it
 *   fork-64M              the fork call alone (parent side) with 64 MiB written before it
 *   fork-64M-exit-wait    fork + the child's _exit + wait4, 64 MiB written
 *   fork-512M             as fork-64M with 512 MiB
 *   fork-512M-exit-wait   as fork-64M-exit-wait with 512 MiB
 *   cow-write             per page: the child writes one byte to every page of the 64 MiB its
 *                         parent wrote before fork (copy-on-write faults), timed in the child
 *   pipe-round-trip       1 byte parent -> child -> parent over two pipes
 *   fork-execve-wait      fork, the child execve's this program (argv[0], which the runners
 *                         give as an absolute path) with `exit-now`, wait4
 *   vfork-execve-wait     the same with vfork (the parent sleeps until the exec; no page
 *                         tables copied), as posix_spawn does it
 *
 *     process-bench [reps-scale] [case,...|all] [huge]
 *
 * The touched memory is MADV_NOHUGEPAGE (4 KiB pages, as our kernel maps them, and as
 * pagefault-bench measures) unless `huge` is given: then Linux with transparent_hugepage=always
 * backs it with 2 MiB pages and its fork copies one entry per 2 MiB.
 *
 * Output, one line per case (the value is the median repetition, in nanoseconds per operation;
 * per page for cow-write):
 *     PROC case ns reps
 * A case that cannot run (e.g. fork refused with ENOMEM: our kernel commits the child's private
 * pages at fork, so 512 MiB needs RUN_ELF_MEMORY=2G) prints `PROC case n/a ERRNO-NAME`.
 * System calls go through syscall(2) so that no libc work (fork handlers, locks) is timed. */
#define _GNU_SOURCE
#include <errno.h>
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
#define MiB (1024UL * 1024UL)
#define MAX_REPS 4096

static const char *self;
static int scale = 1;
static const char *only;
static int huge;

static long raw_fork(void) { return syscall(SYS_fork); }
static void raw_exit(int code) { syscall(SYS_exit_group, code); }
static int reap(long pid)
{
    int status = 0;
    return syscall(SYS_wait4, pid, &status, 0, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void report(const char *name, long *samples, int n)
{
    printf("PROC %s %ld %d\n", name, bench_median(samples, n), n);
    fflush(stdout);
}
static void unavailable(const char *name, int error)
{
    const char *word = error == ENOMEM ? "ENOMEM" : error == EAGAIN ? "EAGAIN" : "error";
    printf("PROC %s n/a %s %d\n", name, word, error);
    fflush(stdout);
}

static long samples[MAX_REPS];

static void fork_exit_wait(void)
{
    const char *name = "fork-exit-wait";
    int reps = 100 * scale;
    for (int i = 0; i < reps; i++) {
        long start = bench_now_ns();
        long pid = raw_fork();
        if (pid == 0) raw_exit(0);
        if (pid < 0) { unavailable(name, errno); return; }
        if (!reap(pid)) { unavailable(name, ECHILD); return; }
        samples[i] = bench_now_ns() - start;
    }
    report(name, samples, reps);
}

static void pipe_round_trip(void)
{
    const char *name = "pipe-round-trip";
    int down[2], up[2];
    if (pipe(down) || pipe(up)) { unavailable(name, errno); return; }
    long pid = raw_fork();
    if (pid == 0) {
        char b;
        close(down[1]); /* else end of file never comes */
        close(up[0]);
        while (read(down[0], &b, 1) == 1)
            if (write(up[1], &b, 1) != 1) raw_exit(1);
        raw_exit(0);
    }
    if (pid < 0) { unavailable(name, errno); return; }
    close(down[0]);
    close(up[1]);
    int batches = 21, per_batch = 50 * scale;
    for (int i = 0; i < batches; i++) {
        long start = bench_now_ns();
        for (int j = 0; j < per_batch; j++) {
            char b = (char)j;
            if (write(down[1], &b, 1) != 1 || read(up[0], &b, 1) != 1) { unavailable(name, EPIPE); return; }
        }
        samples[i] = (bench_now_ns() - start) / per_batch;
    }
    close(down[1]);
    reap(pid);
    close(up[0]);
    report(name, samples, batches);
}

static void spawn_execve_wait(const char *name, int use_vfork)
{
    int reps = 20 * scale;
    char *const args[] = { (char *)self, "exit-now", 0 };
    char *const env[] = { 0 };
    for (int i = 0; i < reps; i++) {
        long start = bench_now_ns();
        long pid = use_vfork ? vfork() : raw_fork();
        if (pid == 0) {
            syscall(SYS_execve, self, args, env);
            raw_exit(127);
        }
        if (pid < 0) { unavailable(name, errno); return; }
        if (!reap(pid)) { unavailable(name, ENOEXEC); return; }
        samples[i] = bench_now_ns() - start;
    }
    report(name, samples, reps);
}

/* mmap `mib` MiB, write every page; NULL (errno set) when refused. */
static unsigned char *touched(unsigned long mib)
{
    unsigned char *p = mmap(0, mib * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    if (!huge) madvise(p, mib * MiB, MADV_NOHUGEPAGE);
    for (unsigned long off = 0; off < mib * MiB; off += PAGE_SIZE) p[off] = (unsigned char)(off >> 12);
    return p;
}

static void fork_touched(unsigned long mib, const char *fork_name, const char *wait_name, int reps)
{
    if (!bench_wanted(only, fork_name) && !bench_wanted(only, wait_name)) return;
    unsigned char *p = touched(mib);
    if (!p) { unavailable(fork_name, errno); unavailable(wait_name, errno); return; }
    long fork_only[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        long start = bench_now_ns();
        long pid = raw_fork();
        if (pid == 0) raw_exit(0);
        long forked = bench_now_ns();
        if (pid < 0) { unavailable(fork_name, errno); unavailable(wait_name, errno); goto out; }
        if (!reap(pid)) { unavailable(wait_name, ECHILD); goto out; }
        fork_only[i] = forked - start;
        samples[i] = bench_now_ns() - start;
    }
    report(fork_name, fork_only, reps);
    report(wait_name, samples, reps);
out:
    munmap(p, mib * MiB);
}

static void cow_write(unsigned long mib, int reps)
{
    const char *name = "cow-write";
    unsigned char *p = touched(mib);
    if (!p) { unavailable(name, errno); return; }
    unsigned long pages = mib * MiB / PAGE_SIZE;
    for (int i = 0; i < reps; i++) {
        int result[2];
        if (pipe(result)) { unavailable(name, errno); break; }
        long pid = raw_fork();
        if (pid == 0) {
            long start = bench_now_ns();
            for (unsigned long off = 0; off < mib * MiB; off += PAGE_SIZE) p[off] = 0xc0;
            long per_page = (bench_now_ns() - start) / (long)pages;
            if (write(result[1], &per_page, sizeof per_page) != sizeof per_page) raw_exit(1);
            raw_exit(0);
        }
        if (pid < 0) { unavailable(name, errno); break; }
        long per_page = -1;
        if (read(result[0], &per_page, sizeof per_page) != sizeof per_page || !reap(pid)) {
            unavailable(name, ECHILD);
            break;
        }
        close(result[0]);
        close(result[1]);
        samples[i] = per_page;
        if (i == reps - 1) report(name, samples, reps);
    }
    munmap(p, mib * MiB);
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc >= 2 && strcmp(argv[1], "exit-now") == 0) return 0;
    if (argc >= 2) scale = atoi(argv[1]) > 0 ? atoi(argv[1]) : 1;
    if (argc >= 3) only = argv[2];
    huge = argc >= 4 && strcmp(argv[3], "huge") == 0;
    printf("# process-bench scale %d, %s pages\n", scale, huge ? "transparent huge" : "4 KiB");
    fflush(stdout);
    if (bench_wanted(only, "fork-exit-wait")) fork_exit_wait();
    if (bench_wanted(only, "pipe-round-trip")) pipe_round_trip();
    if (bench_wanted(only, "fork-execve-wait")) spawn_execve_wait("fork-execve-wait", 0);
    if (bench_wanted(only, "vfork-execve-wait")) spawn_execve_wait("vfork-execve-wait", 1);
    fork_touched(64, "fork-64M", "fork-64M-exit-wait", 11);
    if (bench_wanted(only, "cow-write")) cow_write(64, 3);
    fork_touched(512, "fork-512M", "fork-512M-exit-wait", 5);
    return 0;
}
