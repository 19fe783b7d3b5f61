/* file-bench — issue 11 §5's file figures, from user space, on any Linux-compatible kernel (the
 * host, Linux 6.1 under QEMU through tools/run-linux, ours through tools/run-elf):
 *
 *   file-private-read   a file already in the page cache (written just before, so every page is
 *                       cached) mapped MAP_PRIVATE PROT_READ, one byte read per page, munmap;
 *                       per page
 *   file-shared-write   the same file mapped MAP_SHARED PROT_READ|PROT_WRITE, one byte written
 *                       per page, munmap; per page
 *   read-64k            read(2) of the whole cached file in 64 KiB pieces into a buffer
 *                       touched before; per MiB
 *   read-1m             the same in 1 MiB pieces
 *   exec                fork + execve(PROGRAM ARGS...) + wait4 (after one untimed run: warm
 *                       cache); per execution
 *
 *     file-bench MIB REPS EXEC-REPS [case,...|all] [PROGRAM ARGS...]
 *
 * MIB is the file's size, REPS the repetitions of each file case, EXEC-REPS those of exec (of
 * PROGRAM, which is skipped when none is given). The file is FILE_PATH, or FILE_PATH_FALLBACK when / is not writable.
 *
 * Output (pagefault-bench's format, so bench/compare.py reads both alike):
 *     REP    case rep ns_per_unit minflt_per_unit
 *     RESULT case ns_per_unit units_per_s minflt_per_unit     (median repetition)
 * The unit is a page for the mapping cases, a MiB for the reads, one execution for exec
 * (minflt: RUSAGE_SELF's delta per page for the mappings — below 1 when the kernel maps cached
 * neighbours per fault, Linux's fault-around —, RUSAGE_CHILDREN's per execution for exec).
 * A case that cannot run prints `RESULT case n/a ERRNO-NUMBER`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-timing.h"

#define PAGE_SIZE 4096UL
#define MiB (1024UL * 1024UL)
#define MAX_REPS 64
#define FILE_PATH "/file-bench.data"
#define FILE_PATH_FALLBACK "/tmp/file-bench.data"

static const char *only;
static int reps;
static int exec_reps;
static size_t file_bytes;
static int file_fd = -1;
static char **program;
static long samples[MAX_REPS];
static double faults[MAX_REPS];

static long minor_faults(int who)
{
    struct rusage usage;
    getrusage(who, &usage);
    return usage.ru_minflt;
}

static void unavailable(const char *name, int error)
{
    printf("RESULT %s n/a %d\n", name, error);
    fflush(stdout);
}

/* Prints the REP line of repetition `rep` and keeps its figures. */
static void record(const char *name, int rep, long ns, double units, long flt)
{
    samples[rep] = (long)(ns / units);
    faults[rep] = flt / units;
    printf("REP %s %d %ld %.3f\n", name, rep, samples[rep], faults[rep]);
}

/* The RESULT line: the median repetition (by time) and its fault count. */
static void result(const char *name)
{
    long sorted[MAX_REPS];
    memcpy(sorted, samples, sizeof(long) * (size_t)reps);
    long ns = bench_median(sorted, reps);
    double flt = 0;
    for (int i = 0; i < reps; i++)
        if (samples[i] == ns) flt = faults[i];
    printf("RESULT %s %ld %.1f %.3f\n", name, ns, ns > 0 ? 1e9 / (double)ns : 0.0, flt);
    fflush(stdout);
}

/* Writes the file (its pages then are in the page cache on every kernel) and reads it once. */
static int make_file(void)
{
    file_fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (file_fd < 0) file_fd = open(FILE_PATH_FALLBACK, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (file_fd < 0) return errno;
    char *chunk = malloc(MiB);
    if (!chunk) return ENOMEM;
    for (size_t done = 0; done < file_bytes; done += MiB) {
        memset(chunk, (int)(done / MiB) + 1, MiB);
        if (pwrite(file_fd, chunk, MiB, (off_t)done) != (ssize_t)MiB) return errno ? errno : EIO;
    }
    for (size_t done = 0; done < file_bytes; done += MiB)
        if (pread(file_fd, chunk, MiB, (off_t)done) != (ssize_t)MiB) return errno ? errno : EIO;
    free(chunk);
    return 0;
}

static void mapping_case(const char *name, int shared)
{
    size_t pages = file_bytes / PAGE_SIZE;
    int protection = shared ? PROT_READ | PROT_WRITE : PROT_READ;
    int flags = shared ? MAP_SHARED : MAP_PRIVATE;
    volatile unsigned sum = 0;
    for (int rep = 0; rep < reps; rep++) {
        long flt = minor_faults(RUSAGE_SELF);
        long start = bench_now_ns();
        char *p = mmap(0, file_bytes, protection, flags, file_fd, 0);
        if (p == MAP_FAILED) { unavailable(name, errno); return; }
        if (shared)
            for (size_t i = 0; i < pages; i++) ((volatile char *)p)[i * PAGE_SIZE] = (char)rep;
        else
            for (size_t i = 0; i < pages; i++) sum += ((volatile char *)p)[i * PAGE_SIZE];
        munmap(p, file_bytes);
        record(name, rep, bench_now_ns() - start, (double)pages, minor_faults(RUSAGE_SELF) - flt);
    }
    result(name);
}

static void read_case(const char *name, size_t piece)
{
    char *buffer = malloc(piece);
    if (!buffer) { unavailable(name, ENOMEM); return; }
    memset(buffer, 0, piece);
    for (int rep = 0; rep < reps; rep++) {
        long flt = minor_faults(RUSAGE_SELF);
        long start = bench_now_ns();
        for (size_t done = 0; done < file_bytes; done += piece) {
            ssize_t n = pread(file_fd, buffer, piece, (off_t)done);
            if (n != (ssize_t)piece) { unavailable(name, n < 0 ? errno : EIO); return; }
        }
        long ns = bench_now_ns() - start;
        record(name, rep, ns, (double)file_bytes / MiB, minor_faults(RUSAGE_SELF) - flt);
    }
    free(buffer);
    result(name);
}

/* One fork + execve + wait4 of PROGRAM; 0, or the errno / the child's status as failure. */
static int run_program(void)
{
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) {
        execv(program[0], program);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return errno;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static void exec_case(const char *name)
{
    int error = run_program();
    if (error) { unavailable(name, error); return; }
    for (int rep = 0; rep < reps; rep++) {
        long flt = minor_faults(RUSAGE_CHILDREN);
        long start = bench_now_ns();
        error = run_program();
        long ns = bench_now_ns() - start;
        if (error) { unavailable(name, error); return; }
        record(name, rep, ns, 1.0, minor_faults(RUSAGE_CHILDREN) - flt);
    }
    result(name);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 64;
    reps = argc > 2 ? atoi(argv[2]) : 3;
    exec_reps = argc > 3 ? atoi(argv[3]) : reps;
    only = argc > 4 ? argv[4] : 0;
    program = argc > 5 ? argv + 5 : 0;
    if (reps < 1) reps = 1;
    if (reps > MAX_REPS) reps = MAX_REPS;
    if (exec_reps < 1) exec_reps = 1;
    if (exec_reps > MAX_REPS) exec_reps = MAX_REPS;
    file_bytes = mib * MiB;
    int mapping = bench_wanted(only, "file-private-read") || bench_wanted(only, "file-shared-write")
               || bench_wanted(only, "read-64k") || bench_wanted(only, "read-1m");
    int error = mapping ? make_file() : 0;
    if (error) {
        unavailable("file-private-read", error);
        unavailable("file-shared-write", error);
        unavailable("read-64k", error);
        unavailable("read-1m", error);
    } else if (mapping) {
        if (bench_wanted(only, "file-private-read")) mapping_case("file-private-read", 0);
        if (bench_wanted(only, "file-shared-write")) mapping_case("file-shared-write", 1);
        if (bench_wanted(only, "read-64k")) read_case("read-64k", 64 * 1024);
        if (bench_wanted(only, "read-1m")) read_case("read-1m", MiB);
    }
    if (file_fd >= 0) {
        close(file_fd);
        if (unlink(FILE_PATH) != 0) unlink(FILE_PATH_FALLBACK);
    }
    if (program && bench_wanted(only, "exec")) {
        reps = exec_reps;
        exec_case("exec");
    }
    return 0;
}
