/*
 * swap-bench: the cost of a working set larger than RAM (issue 12): anonymous memory that must
 * go to swap and come back, measured from user space with the Linux system-call ABI only, so
 * the same static binary runs on Linux (with swapon) and on our kernel.
 *
 *   swap-bench [MIB]     default: 2.5 x MemTotal of /proc/meminfo (sysinfo() if it is absent)
 *
 * Phases, each over every page of one MIB MiB anonymous mapping (MADV_NOHUGEPAGE):
 *   fill     write each page's first word (its index mixed with a seed): first touch + swap-out
 *   seq      read and check every page in address order
 *   random   read and check as many pages as there are, in a pseudo-random order (an LCG)
 *   forkcow  fork; the child writes a new word into every page (copy-on-write of swapped and
 *            resident pages) and checks it, then exits; the parent then checks every page
 *            still holds its own word. Time is the whole phase, child and parent.
 *
 * Output, machine-readable, one line per phase:
 *   RESULT phase ns_per_page pages_in pages_out
 * pages_in/pages_out are the phase's deltas of /proc/vmstat's pswpin/pswpout (pages read
 * from / written to swap), -1 when the kernel has no such file. A wrong word exits 1 with
 * the page's index: no page may be lost or mixed. Time is clock_gettime(CLOCK_MONOTONIC).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define WORKING_SET_TENTHS 25 /* 2.5 x RAM */
#define PARENT_SEED 0x5eed5eed00000000ull
#define CHILD_SEED 0xc0ffee0000000000ull
/* Numerical Recipes' 64-bit LCG constants */
#define LCG_MULTIPLIER 6364136223846793005ull
#define LCG_INCREMENT 1442695040888963407ull

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* /proc/vmstat's counter NAME, or -1 */
static long long vmstat(const char *name) {
    FILE *file = fopen("/proc/vmstat", "r");
    if (!file) return -1;
    char key[64];
    long long value;
    long long found = -1;
    while (fscanf(file, "%63s %lld", key, &value) == 2) {
        if (strcmp(key, name) == 0) {
            found = value;
            break;
        }
    }
    fclose(file);
    return found;
}

/* RAM in MiB: /proc/meminfo's MemTotal, else sysinfo() */
static size_t ram_mib(void) {
    FILE *file = fopen("/proc/meminfo", "r");
    if (file) {
        char key[64];
        unsigned long long kib;
        char unit[16];
        while (fscanf(file, "%63s %llu %15s", key, &kib, unit) == 3) {
            if (strcmp(key, "MemTotal:") == 0) {
                fclose(file);
                return (size_t)(kib / 1024);
            }
        }
        fclose(file);
    }
    struct sysinfo info;
    if (sysinfo(&info) == 0) return (size_t)((unsigned long long)info.totalram * info.mem_unit >> 20);
    return 0;
}

static uint64_t word(uint64_t seed, size_t page) { return seed ^ (page * 0x9e3779b97f4a7c15ull); }

static unsigned char *memory;
static size_t pages;
static long long in0, out0;
static uint64_t start;

static void begin(void) {
    in0 = vmstat("pswpin");
    out0 = vmstat("pswpout");
    start = now_ns();
}

static void end(const char *phase) {
    uint64_t elapsed = now_ns() - start;
    long long in = vmstat("pswpin"), out = vmstat("pswpout");
    printf("RESULT %s %.1f %lld %lld\n", phase, (double)elapsed / (double)pages,
           in < 0 ? -1 : in - in0, out < 0 ? -1 : out - out0);
    fflush(stdout);
}

static void check(size_t page, uint64_t seed, const char *phase) {
    uint64_t found;
    memcpy(&found, memory + page * PAGE, sizeof found);
    if (found != word(seed, page)) {
        printf("FAIL %s: page %zu holds %#llx, not %#llx\n", phase, page,
               (unsigned long long)found, (unsigned long long)word(seed, page));
        exit(1);
    }
}

static void set(size_t page, uint64_t seed) {
    uint64_t value = word(seed, page);
    memcpy(memory + page * PAGE, &value, sizeof value);
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? (size_t)strtoull(argv[1], NULL, 0) : ram_mib() * WORKING_SET_TENTHS / 10;
    if (mib == 0) {
        fprintf(stderr, "swap-bench: no RAM size known; give MIB\n");
        return 2;
    }
    pages = mib * (1024 * 1024 / PAGE);
    memory = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("swap-bench: mmap");
        return 2;
    }
    madvise(memory, pages * PAGE, MADV_NOHUGEPAGE);
    printf("swap-bench: %zu MiB working set, %zu pages, RAM %zu MiB\n", mib, pages, ram_mib());

    begin();
    for (size_t page = 0; page < pages; page++) set(page, PARENT_SEED);
    end("fill");

    begin();
    for (size_t page = 0; page < pages; page++) check(page, PARENT_SEED, "seq");
    end("seq");

    begin();
    uint64_t state = 1;
    for (size_t step = 0; step < pages; step++) {
        state = state * LCG_MULTIPLIER + LCG_INCREMENT;
        check((size_t)((state >> 16) % pages), PARENT_SEED, "random");
    }
    end("random");

    begin();
    pid_t child = fork();
    if (child < 0) {
        perror("swap-bench: fork");
        return 2;
    }
    if (child == 0) {
        for (size_t page = 0; page < pages; page++) {
            check(page, PARENT_SEED, "forkcow-child-before");
            set(page, CHILD_SEED);
        }
        for (size_t page = 0; page < pages; page++) check(page, CHILD_SEED, "forkcow-child");
        _exit(0);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("FAIL forkcow: child status %#x\n", status);
        return 1;
    }
    for (size_t page = 0; page < pages; page++) check(page, PARENT_SEED, "forkcow-parent");
    end("forkcow");
    return 0;
}
