/*
 * swap-full: RAM and swap both full of committed memory (issue 12, "swap full -> the next
 * reservation fails with ENOMEM and everything already committed keeps working").
 *
 *   swap-full [strict|heuristic]
 *
 * Both modes first ask for one private writable mapping larger than RAM + swap (sysinfo's
 * totalram + totalswap, plus CHUNK): ENOMEM on every kernel that counts swap in its commit —
 * Linux's default heuristic (vm.overcommit_memory = 0) refuses a single request above RAM +
 * swap, its strict mode (2) and this kernel refuse far less.
 *
 * strict (the default; this kernel, or Linux with vm.overcommit_memory=2): reserve CHUNK-sized
 * mappings, then halving sizes down to one page, until a one-page mapping is refused with
 * ENOMEM — before RAM + swap has been reserved (a failure otherwise). At that limit brk cannot
 * grow and fork fails with ENOMEM (the child's copy cannot be committed). Then every page
 * reserved is written and checked, in order and again in reverse: all the committed memory
 * works although RAM and swap together barely hold it. Unmapping two chunks lets a mapping of
 * one chunk succeed (and its pages work); keeping a quarter of the chunks lets fork succeed:
 * the child checks and rewrites its copy, the parent's pages keep their words.
 * Prints "swap-full: reserved N MiB of RAM+swap M MiB before ENOMEM".
 *
 * heuristic (Linux's default): the oversized mapping is refused, but reservations that add up
 * to more than RAM + swap are granted (RESERVE_CAP_FACTOR x RAM + swap is reached without
 * ENOMEM); nothing is touched, as Linux would have to OOM-kill to serve it.
 *
 * The stack is touched first (STACK_TOUCH bytes): Linux's strict mode charges stack growth, so
 * a stack page first touched at the limit would be a SIGSEGV there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define CHUNK (4UL << 20)
#define MAX_MAPPINGS 4096
#define RESERVE_CAP_FACTOR 2
#define STACK_TOUCH (256UL << 10)
#define PARENT_SEED 0xf011f011f0110000ull
#define CHILD_SEED 0xc41dc41dc41d0000ull

struct mapping {
    char *start;
    size_t length;
};

static struct mapping mappings[MAX_MAPPINGS];
static int mapping_count;
static int checks, failures;

static void check(int ok, const char *what) {
    checks++;
    if (!ok) {
        failures++;
        printf("FAIL: %s (errno %d)\n", what, errno);
        fflush(stdout);
    }
}

static char touch_stack(void) {
    volatile char buffer[STACK_TOUCH];
    for (size_t i = 0; i < STACK_TOUCH; i += PAGE) buffer[i] = (char)(i >> 12);
    return buffer[PAGE];
}

static void *reserve(size_t length) {
    return mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static uint64_t word(uint64_t seed, const char *address) { return seed ^ (uintptr_t)address; }

static void write_pages(struct mapping *m, uint64_t seed) {
    for (size_t offset = 0; offset < m->length; offset += PAGE)
        *(volatile uint64_t *)(m->start + offset) = word(seed, m->start + offset);
}

/* The first page of `m` whose word is not `seed`'s, or NULL. */
static char *wrong_page(struct mapping *m, uint64_t seed, int reverse) {
    size_t pages = m->length / PAGE;
    for (size_t n = 0; n < pages; n++) {
        char *page = m->start + (reverse ? pages - 1 - n : n) * PAGE;
        if (*(volatile uint64_t *)page != word(seed, page)) return page;
    }
    return NULL;
}

static int all_right(int first, int last, uint64_t seed, int reverse) {
    for (int i = first; i < last; i++) {
        char *page = wrong_page(&mappings[i], seed, reverse);
        if (page) {
            printf("FAIL: page %p holds %#llx\n", (void *)page,
                   (unsigned long long)*(uint64_t *)page);
            return 0;
        }
    }
    return 1;
}

/* Reserves until a one-page mapping is refused; the bytes reserved, or 0 past `cap`. */
static size_t reserve_until_refused(size_t cap) {
    size_t total = 0;
    size_t size = CHUNK;
    while (size >= PAGE) {
        if (total > cap || mapping_count == MAX_MAPPINGS) return 0;
        void *start = reserve(size);
        if (start == MAP_FAILED) {
            if (errno != ENOMEM) {
                check(0, "a refused reservation answers ENOMEM");
                return total;
            }
            size /= 2;
            continue;
        }
        mappings[mapping_count++] = (struct mapping){start, size};
        total += size;
    }
    return total;
}

static int strict(size_t ram_and_swap) {
    size_t reserved = reserve_until_refused(ram_and_swap);
    check(reserved != 0, "a reservation is refused before RAM + swap is reserved");
    if (reserved == 0) return 1;
    printf("swap-full: reserved %zu MiB of RAM+swap %zu MiB before ENOMEM\n", reserved >> 20,
           ram_and_swap >> 20);
    fflush(stdout);
    errno = 0;
    check(reserve(PAGE) == MAP_FAILED && errno == ENOMEM, "one more page: ENOMEM");
    long old_break = syscall(SYS_brk, 0);
    long new_break = syscall(SYS_brk, old_break + (long)CHUNK);
    check(new_break == old_break, "brk cannot grow at the limit");
    errno = 0;
    pid_t refused = fork();
    if (refused == 0) _exit(0);
    check(refused == -1 && errno == ENOMEM, "fork at the limit: ENOMEM");
    if (refused > 0) waitpid(refused, NULL, 0);

    for (int i = 0; i < mapping_count; i++) write_pages(&mappings[i], PARENT_SEED);
    check(all_right(0, mapping_count, PARENT_SEED, 0), "every reserved page, in order");
    check(all_right(0, mapping_count, PARENT_SEED, 1), "every reserved page, in reverse");
    printf("swap-full: all %zu MiB written and read back\n", reserved >> 20);
    fflush(stdout);

    /* Give two chunks back: a reservation of one chunk now fits, and works. (Two, for slack:
     * Linux's strict check reads its per-CPU commit counter approximately.) */
    check(munmap(mappings[0].start, mappings[0].length) == 0, "munmap of a chunk");
    check(munmap(mappings[1].start, mappings[1].length) == 0, "munmap of a second chunk");
    mappings[1].length = 0;
    void *again = reserve(mappings[0].length);
    check(again != MAP_FAILED, "a chunk's size fits again after the munmaps");
    if (again != MAP_FAILED) {
        mappings[0].start = again;
        write_pages(&mappings[0], PARENT_SEED);
        check(all_right(0, 1, PARENT_SEED, 0), "the new chunk's pages");
    } else {
        mappings[0].length = 0;
    }

    /* Keep a quarter: fork fits now; the child's copy and the parent's stay apart. */
    int kept = mapping_count / 4;
    for (int i = kept; i < mapping_count; i++)
        if (mappings[i].length) munmap(mappings[i].start, mappings[i].length);
    fflush(stdout);
    pid_t child = fork();
    check(child >= 0, "fork with a quarter kept");
    if (child == 0) {
        if (!all_right(0, kept, PARENT_SEED, 0)) _exit(1);
        for (int i = 0; i < kept; i++) write_pages(&mappings[i], CHILD_SEED);
        _exit(all_right(0, kept, CHILD_SEED, 1) ? 0 : 1);
    }
    if (child > 0) {
        int status = 0;
        check(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
                  WEXITSTATUS(status) == 0,
              "the child checked and rewrote its copy");
    }
    check(all_right(0, kept, PARENT_SEED, 0), "the parent's pages after the child's writes");
    return 0;
}

static int heuristic(size_t ram_and_swap) {
    size_t cap = RESERVE_CAP_FACTOR * ram_and_swap;
    size_t reserved = reserve_until_refused(cap);
    check(reserved == 0, "reservations beyond RAM + swap are granted (overcommit)");
    printf("swap-full: heuristic overcommit granted more than %zu MiB untouched\n", cap >> 20);
    return 0;
}

int main(int argc, char **argv) {
    int strict_mode = argc < 2 || strcmp(argv[1], "strict") == 0;
    if (touch_stack() != 1) return 2;
    struct sysinfo info;
    check(sysinfo(&info) == 0, "sysinfo");
    size_t ram = (size_t)info.totalram * info.mem_unit;
    size_t swap = (size_t)info.totalswap * info.mem_unit;
    size_t ram_and_swap = ram + swap;
    printf("swap-full: RAM %zu MiB, swap %zu MiB\n", ram >> 20, swap >> 20);
    check(swap > 0, "a swap area is on");
    errno = 0;
    void *too_big = reserve(ram_and_swap + CHUNK);
    check(too_big == MAP_FAILED && errno == ENOMEM, "one mapping above RAM + swap: ENOMEM");
    if (too_big != MAP_FAILED) munmap(too_big, ram_and_swap + CHUNK);
    if (strict_mode) strict(ram_and_swap);
    else heuristic(ram_and_swap);
    if (failures) {
        printf("swap-full: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("swap-full: all %d checks passed\n", checks);
    return 0;
}
