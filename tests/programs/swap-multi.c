/*
 * swap-multi: several processes under memory pressure at once (issue 12, "several processes
 * under pressure at once").
 *
 *   swap-multi [MIB] [CHILDREN]   default: 0.75 x MemTotal each, 4 children
 *
 * The parent forks CHILDREN children (at most MAX_CHILDREN). Each maps MIB MiB of private
 * anonymous memory and writes every page (three words: the first, the last and one at a
 * page-dependent offset, each mixing the child's seed, the page and a generation), so together
 * they need CHILDREN x MIB MiB: far more than RAM, all at the same time. Each then checks every
 * page in address order and half as many again at random (an LCG), rewrites a pseudo-random
 * tenth of its pages with generation 1, and reports "ready" to the parent through its own pipe.
 * Children 2k and 2k+1 are paired by a pipe: the even one sends the first word of each of its
 * pages (read back from its memory, so from swap) and the odd one checks every word against
 * the sequence the sender's seed gives — data crossing between two processes under pressure.
 *
 * Then the parent ends them in EXIT_ORDER (not the order they were made): before each exit
 * every child still alive checks a quarter of its pages again, chosen at random (pages come
 * back from swap while others give memory back), then the chosen child exits with status 0 and is reaped by pid before the
 * next round. A child that finds a wrong word prints "FAIL: ..." and exits 1; the parent prints
 * "swap-multi: all N checks passed" only if every child's status was 0 and every report came.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define WORDS_PER_PAGE (PAGE / sizeof(uint64_t))
#define MAX_CHILDREN 8
#define DEFAULT_CHILDREN 4
#define SHARE_NUMERATOR 3 /* each child: 3/4 of RAM */
#define SHARE_DENOMINATOR 4
#define REWRITE_ONE_IN 10 /* pages rewritten with generation 1 */
#define RANDOM_SHARE 2     /* the random check reads pages / 2 pages */
#define SAMPLE_SHARE 4     /* each check while others exit reads pages / 4 */
#define SEED_BASE 0x5a17c0de00000000ull
/* Numerical Recipes' 64-bit LCG constants */
#define LCG_MULTIPLIER 6364136223846793005ull
#define LCG_INCREMENT 1442695040888963407ull
/* The order children end in: neither creation order nor its reverse. */
static const int EXIT_ORDER[MAX_CHILDREN] = {2, 0, 3, 1, 6, 4, 7, 5};

#define COMMAND_VERIFY 'v'
#define COMMAND_EXIT 'x'
#define REPORT_READY 'r'
#define REPORT_VERIFIED 'k'

struct child {
    pid_t pid;
    int command;  /* parent writes commands */
    int report;   /* parent reads reports */
};

static uint64_t lcg(uint64_t *state) {
    *state = *state * LCG_MULTIPLIER + LCG_INCREMENT;
    return *state >> 11;
}

static uint64_t word(uint64_t seed, uint64_t page, uint64_t which, uint64_t generation) {
    uint64_t value = seed ^ (page << 20) ^ (which << 8) ^ generation;
    value *= LCG_MULTIPLIER;
    return value ^ (value >> 29);
}

static size_t middle_index(uint64_t page) { return 1 + (size_t)(page * 37 % (WORDS_PER_PAGE - 2)); }

static void write_page(uint64_t *page_words, uint64_t seed, uint64_t page, uint64_t generation) {
    page_words[0] = word(seed, page, 0, generation);
    page_words[middle_index(page)] = word(seed, page, 1, generation);
    page_words[WORDS_PER_PAGE - 1] = word(seed, page, 2, generation);
}

static int check_page(const uint64_t *page_words, uint64_t seed, uint64_t page,
                      uint64_t generation, int child, const char *pass) {
    if (page_words[0] == word(seed, page, 0, generation) &&
        page_words[middle_index(page)] == word(seed, page, 1, generation) &&
        page_words[WORDS_PER_PAGE - 1] == word(seed, page, 2, generation))
        return 1;
    printf("FAIL: child %d page %llu wrong in %s (first word %#llx, want %#llx)\n", child,
           (unsigned long long)page, pass, (unsigned long long)page_words[0],
           (unsigned long long)word(seed, page, 0, generation));
    fflush(stdout);
    return 0;
}

static void die(const char *what) {
    printf("FAIL: %s (errno %d)\n", what, errno);
    fflush(stdout);
    _exit(1);
}

static void write_byte(int fd, char byte) {
    if (write(fd, &byte, 1) != 1) die("write of a report or command");
}

static char read_byte(int fd) {
    char byte = 0;
    ssize_t got = read(fd, &byte, 1);
    if (got != 1) return 0;
    return byte;
}

static int write_all(int fd, const void *buffer, size_t length) {
    const char *bytes = buffer;
    while (length > 0) {
        ssize_t done = write(fd, bytes, length);
        if (done <= 0) return 0;
        bytes += done;
        length -= (size_t)done;
    }
    return 1;
}

static int read_all(int fd, void *buffer, size_t length) {
    char *bytes = buffer;
    while (length > 0) {
        ssize_t done = read(fd, bytes, length);
        if (done <= 0) return 0;
        bytes += done;
        length -= (size_t)done;
    }
    return 1;
}

/* Generation of page `page` once the rewrite pass has run. */
static uint64_t generation_of(uint64_t seed, uint64_t page) {
    return (word(seed, page, 3, 0) % REWRITE_ONE_IN) == 0 ? 1 : 0;
}

static int verify_all(uint64_t *memory, uint64_t pages, uint64_t seed, int child, int rewritten,
                      const char *pass) {
    for (uint64_t page = 0; page < pages; page++) {
        uint64_t generation = rewritten ? generation_of(seed, page) : 0;
        if (!check_page(memory + page * WORDS_PER_PAGE, seed, page, generation, child, pass))
            return 0;
    }
    return 1;
}

/* `count` pages chosen by the LCG at `state`. */
static int verify_random(uint64_t *memory, uint64_t pages, uint64_t seed, int child, int rewritten,
                         uint64_t *state, uint64_t count, const char *pass) {
    for (uint64_t n = 0; n < count; n++) {
        uint64_t page = lcg(state) % pages;
        uint64_t generation = rewritten ? generation_of(seed, page) : 0;
        if (!check_page(memory + page * WORDS_PER_PAGE, seed, page, generation, child, pass))
            return 0;
    }
    return 1;
}

/* The even child of a pair sends the first word of each page, read from its memory. */
static int send_words(int fd, uint64_t *memory, uint64_t pages) {
    uint64_t chunk[WORDS_PER_PAGE];
    uint64_t page = 0;
    while (page < pages) {
        size_t count = 0;
        while (count < WORDS_PER_PAGE && page < pages) {
            chunk[count++] = memory[page * WORDS_PER_PAGE];
            page++;
        }
        if (!write_all(fd, chunk, count * sizeof(uint64_t))) return 0;
    }
    return 1;
}

/* The odd child checks them against the sender's seed (generation 1 where rewritten). */
static int receive_words(int fd, uint64_t pages, uint64_t sender_seed, int child) {
    uint64_t chunk[WORDS_PER_PAGE];
    uint64_t page = 0;
    while (page < pages) {
        size_t count = pages - page < WORDS_PER_PAGE ? (size_t)(pages - page) : WORDS_PER_PAGE;
        if (!read_all(fd, chunk, count * sizeof(uint64_t))) {
            printf("FAIL: child %d: the pipe ended at page %llu\n", child,
                   (unsigned long long)page);
            return 0;
        }
        for (size_t i = 0; i < count; i++, page++) {
            uint64_t want = word(sender_seed, page, 0, generation_of(sender_seed, page));
            if (chunk[i] != want) {
                printf("FAIL: child %d: piped word of page %llu is %#llx, want %#llx\n", child,
                       (unsigned long long)page, (unsigned long long)chunk[i],
                       (unsigned long long)want);
                return 0;
            }
        }
    }
    return 1;
}

static void run_child(int child, int children, uint64_t pages, int command, int report,
                      int pair_write, int pair_read) {
    uint64_t seed = SEED_BASE + (uint64_t)child * 0x1000193ull;
    uint64_t *memory = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) die("mmap of the child's working set");
    madvise(memory, pages * PAGE, MADV_NOHUGEPAGE);
    for (uint64_t page = 0; page < pages; page++)
        write_page(memory + page * WORDS_PER_PAGE, seed, page, 0);
    if (!verify_all(memory, pages, seed, child, 0, "sequential check")) _exit(1);
    uint64_t state = seed;
    if (!verify_random(memory, pages, seed, child, 0, &state, pages / RANDOM_SHARE, "random check"))
        _exit(1);
    for (uint64_t page = 0; page < pages; page++)
        if (generation_of(seed, page)) write_page(memory + page * WORDS_PER_PAGE, seed, page, 1);
    if (pair_write >= 0 && !send_words(pair_write, memory, pages)) die("send through the pipe");
    if (pair_read >= 0) {
        uint64_t sender_seed = SEED_BASE + (uint64_t)(child - 1) * 0x1000193ull;
        if (!receive_words(pair_read, pages, sender_seed, child)) _exit(1);
    }
    (void)children;
    write_byte(report, REPORT_READY);
    for (;;) {
        char what = read_byte(command);
        if (what == COMMAND_VERIFY) {
            if (!verify_random(memory, pages, seed, child, 1, &state, pages / SAMPLE_SHARE,
                               "check while others exit"))
                _exit(1);
            write_byte(report, REPORT_VERIFIED);
        } else if (what == COMMAND_EXIT) {
            _exit(0);
        } else {
            printf("FAIL: child %d: the parent's pipe ended\n", child);
            _exit(1);
        }
    }
}

static uint64_t ram_bytes(void) {
    FILE *file = fopen("/proc/meminfo", "r");
    unsigned long long kib = 0;
    if (file) {
        char line[128];
        while (fgets(line, sizeof line, file))
            if (sscanf(line, "MemTotal: %llu kB", &kib) == 1) break;
        fclose(file);
    }
    if (kib) return kib * 1024;
    struct sysinfo info;
    if (sysinfo(&info) != 0) die("sysinfo");
    return (uint64_t)info.totalram * info.mem_unit;
}

int main(int argc, char **argv) {
    uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0)
                            : ram_bytes() * SHARE_NUMERATOR / SHARE_DENOMINATOR >> 20;
    int children = argc > 2 ? atoi(argv[2]) : DEFAULT_CHILDREN;
    if (mib == 0 || children < 1 || children > MAX_CHILDREN) {
        printf("usage: swap-multi [MIB] [CHILDREN <= %d]\n", MAX_CHILDREN);
        return 2;
    }
    uint64_t pages = mib << 20 >> 12;
    printf("swap-multi: %d children of %llu MiB each at once\n", children,
           (unsigned long long)mib);
    fflush(stdout);
    struct child table[MAX_CHILDREN];
    int pair[MAX_CHILDREN / 2][2];
    for (int i = 0; i + 1 < children; i += 2)
        if (pipe(pair[i / 2]) != 0) die("pipe between a pair");
    for (int i = 0; i < children; i++) {
        int command[2], report[2];
        if (pipe(command) != 0 || pipe(report) != 0) die("pipe to a child");
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) {
            close(command[1]);
            close(report[0]);
            for (int j = 0; j < i; j++) {
                close(table[j].command);
                close(table[j].report);
            }
            int pair_write = -1, pair_read = -1;
            for (int p = 0; p + 1 < children; p += 2) {
                if (p == i) pair_write = pair[p / 2][1]; else close(pair[p / 2][1]);
                if (p + 1 == i) pair_read = pair[p / 2][0]; else close(pair[p / 2][0]);
            }
            run_child(i, children, pages, command[0], report[1], pair_write, pair_read);
        }
        close(command[0]);
        close(report[1]);
        table[i] = (struct child){pid, command[1], report[0]};
    }
    for (int i = 0; i + 1 < children; i += 2) {
        close(pair[i / 2][0]);
        close(pair[i / 2][1]);
    }
    int checks = 0, failed = 0;
    for (int i = 0; i < children; i++, checks++) {
        if (read_byte(table[i].report) != REPORT_READY) {
            printf("FAIL: child %d did not report its pages\n", i);
            failed++;
        }
    }
    printf("swap-multi: every child filled and checked its pages\n");
    fflush(stdout);
    int alive[MAX_CHILDREN];
    for (int i = 0; i < children; i++) alive[i] = 1;
    int order = 0;
    for (int round = 0; round < MAX_CHILDREN; round++) {
        int victim = EXIT_ORDER[round];
        if (victim >= children) continue;
        for (int i = 0; i < children; i++) {
            if (!alive[i]) continue;
            write_byte(table[i].command, COMMAND_VERIFY);
        }
        for (int i = 0; i < children; i++) {
            if (!alive[i]) continue;
            checks++;
            if (read_byte(table[i].report) != REPORT_VERIFIED) {
                printf("FAIL: child %d did not verify before child %d's exit\n", i, victim);
                failed++;
            }
        }
        write_byte(table[victim].command, COMMAND_EXIT);
        int status = 0;
        checks++;
        if (waitpid(table[victim].pid, &status, 0) != table[victim].pid ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("FAIL: child %d ended with status %#x\n", victim, status);
            failed++;
        }
        alive[victim] = 0;
        close(table[victim].command);
        close(table[victim].report);
        printf("swap-multi: child %d exited %s (exit %d of %d)\n", victim,
               failed ? "after a failure" : "with every page right", ++order, children);
        fflush(stdout);
    }
    checks++;
    if (wait(NULL) != -1 || errno != ECHILD) {
        printf("FAIL: a child was left\n");
        failed++;
    }
    if (failed) {
        printf("swap-multi: %d of %d checks failed\n", failed, checks);
        return 1;
    }
    printf("swap-multi: all %d checks passed\n", checks);
    return 0;
}
