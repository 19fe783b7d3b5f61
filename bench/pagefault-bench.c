/*
 * pagefault-bench: the cost of one 4 KiB page of user memory over its whole life (mapping,
 * first-touch fault, unmapping), measured from user space with the Linux system-call ABI only,
 * so the same static binary runs on Linux and on our kernel.
 *
 *   pagefault-bench [MIB [REPS [CASE...]]]      defaults: 64 MiB, 3 repetitions, every case
 *
 * Cases (each touches MIB MiB = MIB*256 pages per repetition):
 *   anon-write   mmap anonymous, madvise(MADV_NOHUGEPAGE), write one byte per page, munmap
 *   anon-read    mmap anonymous, madvise(MADV_NOHUGEPAGE), read one byte per page (zero page),
 *                munmap
 *   brk-write    raw brk() up by MIB MiB, write one byte per page, brk() back down
 *                (musl's brk()/sbrk() wrappers never call the kernel, hence syscall(SYS_brk))
 *   malloc64k    malloc 64 KiB blocks, memset each whole block, free them all
 *   malloc1k     malloc 1 KiB blocks, memset each whole block, free them all
 *   mmap-churn   per page: mmap 4 KiB anonymous, write one byte, munmap
 *
 * Output: one line per repetition and one summary per case, machine-readable:
 *   REP    case rep ns_per_page minflt_per_page
 *   RESULT case ns_per_page pages_per_s minflt_per_page
 * RESULT takes the median repetition (by time); its minflt is that repetition's. minflt comes
 * from getrusage(RUSAGE_SELF).ru_minflt and is -1 when getrusage fails; ~1.0 shows one fault
 * per page. Time is clock_gettime(CLOCK_MONOTONIC).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_REPS 64

static size_t bytes;   /* per repetition */
static size_t pages;   /* bytes / PAGE */
static void **blocks;  /* pointer array for the malloc cases, allocated once up front */
static size_t max_blocks;
static volatile unsigned long sink;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long minflt(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    return ru.ru_minflt;
}

static void fail(const char *what) {
    printf("ERROR %s\n", what);
    fflush(stdout);
    exit(2);
}

static char *map_anon(size_t len) {
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) fail("mmap");
    madvise(p, len, MADV_NOHUGEPAGE); /* errors ignored: a kernel without THP may say ENOSYS */
    return p;
}

static void case_anon_write(void) {
    char *p = map_anon(bytes);
    for (size_t i = 0; i < bytes; i += PAGE) p[i] = 1;
    if (munmap(p, bytes) != 0) fail("munmap");
}

static void case_anon_read(void) {
    char *p = map_anon(bytes);
    unsigned long s = 0;
    for (size_t i = 0; i < bytes; i += PAGE) s += ((volatile char *)p)[i];
    sink = s;
    if (munmap(p, bytes) != 0) fail("munmap");
}

static void case_brk_write(void) {
    char *base = (char *)syscall(SYS_brk, 0);
    char *top = (char *)syscall(SYS_brk, base + bytes);
    if (top != base + bytes) fail("brk grow");
    madvise(base, bytes, MADV_NOHUGEPAGE);
    for (size_t i = 0; i < bytes; i += PAGE) base[i] = 1;
    if ((char *)syscall(SYS_brk, base) != base) fail("brk shrink");
}

static void malloc_memset(size_t block) {
    size_t n = bytes / block;
    if (n > max_blocks) fail("too many blocks");
    for (size_t i = 0; i < n; i++) {
        blocks[i] = malloc(block);
        if (!blocks[i]) fail("malloc");
        memset(blocks[i], 0x5a, block);
    }
    for (size_t i = 0; i < n; i++) free(blocks[i]);
}

static void case_malloc64k(void) { malloc_memset(64 * 1024); }
static void case_malloc1k(void) { malloc_memset(1024); }

static void case_mmap_churn(void) {
    for (size_t i = 0; i < pages; i++) {
        char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) fail("mmap");
        p[0] = 1;
        if (munmap(p, PAGE) != 0) fail("munmap");
    }
}

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    {"anon-write", case_anon_write}, {"anon-read", case_anon_read},
    {"brk-write", case_brk_write},   {"malloc64k", case_malloc64k},
    {"malloc1k", case_malloc1k},     {"mmap-churn", case_mmap_churn},
};
#define NCASES (sizeof cases / sizeof cases[0])

static void run_case(int c, int reps) {
    double ns[MAX_REPS], flt[MAX_REPS];
    for (int r = 0; r < reps; r++) {
        long f0 = minflt();
        uint64_t t0 = now_ns();
        cases[c].run();
        uint64_t t1 = now_ns();
        long f1 = minflt();
        ns[r] = (double)(t1 - t0) / (double)pages;
        flt[r] = (f0 < 0 || f1 < 0) ? -1.0 : (double)(f1 - f0) / (double)pages;
        printf("REP %s %d %.1f %.3f\n", cases[c].name, r, ns[r], flt[r]);
        fflush(stdout);
    }
    /* median by time (insertion sort of indices) */
    int idx[MAX_REPS];
    for (int i = 0; i < reps; i++) idx[i] = i;
    for (int i = 1; i < reps; i++)
        for (int j = i; j > 0 && ns[idx[j]] < ns[idx[j - 1]]; j--) {
            int t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    int m = idx[reps / 2];
    double pps = ns[m] > 0 ? 1e9 / ns[m] : 0;
    printf("RESULT %s %.1f %.0f %.3f\n", cases[c].name, ns[m], pps, flt[m]);
    fflush(stdout);
}

int main(int argc, char **argv) {
    long mib = argc > 1 ? atol(argv[1]) : 64;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (mib <= 0 || reps <= 0 || reps > MAX_REPS) {
        printf("usage: %s [MIB [REPS [CASE...]]]  (REPS <= %d)\n", argv[0], MAX_REPS);
        return 2;
    }
    bytes = (size_t)mib << 20;
    pages = bytes / PAGE;
    max_blocks = bytes / 1024;
    /* The pointer array is set up (and faulted in) before any measurement. */
    blocks = mmap(NULL, max_blocks * sizeof *blocks, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (blocks == MAP_FAILED) fail("mmap pointer array");
    memset(blocks, 0, max_blocks * sizeof *blocks);

    printf("# pagefault-bench: %ld MiB (%zu pages) x %d reps; ns and minflt per 4 KiB page\n",
           mib, pages, reps);
    printf("# REP case rep ns_per_page minflt_per_page\n");
    printf("# RESULT case ns_per_page pages_per_s minflt_per_page  (median rep)\n");
    fflush(stdout);
    int ran = 0;
    for (size_t c = 0; c < NCASES; c++) {
        int wanted = argc <= 3;
        for (int a = 3; a < argc; a++)
            if (strcmp(argv[a], cases[c].name) == 0) wanted = 1;
        if (wanted) {
            run_case((int)c, reps);
            ran++;
        }
    }
    if (ran == 0) {
        printf("ERROR no such case; cases:");
        for (size_t c = 0; c < NCASES; c++) printf(" %s", cases[c].name);
        printf("\n");
        return 2;
    }
    printf("DONE\n");
    return 0;
}
