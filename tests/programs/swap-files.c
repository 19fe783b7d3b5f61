/*
 * swap-files: a file-heavy load under memory pressure (issue 12, "a file-heavy load: the page
 * cache shrinks, nothing is lost").
 *
 *   swap-files PRIVATE_MIB FILE...
 *
 * Each FILE (read-only, in the root file system) holds the words file_word(index, offset):
 * quadword at byte `offset` of the index-th FILE named. The program
 *   1. maps every file (MAP_PRIVATE, PROT_READ) and checks every word: the page cache fills;
 *   2. maps PRIVATE_MIB MiB of private anonymous memory and writes every page: with the files
 *      cached, RAM cannot hold both, so clean cache pages must be dropped (and private pages
 *      swapped);
 *   3. reads every file again with read() (64 KiB at a time) in reverse order, checking every
 *      word, then re-checks the file mappings and the private pages.
 * After steps 1 and 2 it prints /proc/meminfo's Cached ("swap-files: Cached after the files N
 * kB, under pressure M kB"): the test wants it to fall on our kernel. Any wrong word prints
 * "FAIL: ..." and the status is 1; all right: "swap-files: all N checks passed".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_FILES 16
#define READ_CHUNK (64UL << 10)
#define FILE_MULTIPLIER 0x9e3779b97f4a7c15ull /* the golden ratio's 64-bit fraction */
#define PRIVATE_SEED 0x9a1e55ed00000000ull

static int checks, failures;

static uint64_t file_word(int index, uint64_t offset) {
    return ((uint64_t)(index + 1) * FILE_MULTIPLIER) ^ offset;
}

static void check(int ok, const char *what, const char *name, uint64_t where) {
    checks++;
    if (ok) return;
    failures++;
    printf("FAIL: %s %s at %llu\n", what, name, (unsigned long long)where);
    fflush(stdout);
}

static long long cached_kib(void) {
    FILE *file = fopen("/proc/meminfo", "r");
    long long kib = -1;
    char line[128];
    if (!file) return -1;
    while (fgets(line, sizeof line, file))
        if (sscanf(line, "Cached: %lld kB", &kib) == 1) break;
    fclose(file);
    return kib;
}

/* The first offset of `words` (file `index` from byte `base`) that is wrong, or -1. */
static long long first_wrong(const uint64_t *words, size_t count, int index, uint64_t base) {
    for (size_t i = 0; i < count; i++)
        if (words[i] != file_word(index, base + i * sizeof(uint64_t)))
            return (long long)(base + i * sizeof(uint64_t));
    return -1;
}

static void check_mapping(const uint64_t *words, uint64_t size, int index, const char *name) {
    long long wrong = first_wrong(words, size / sizeof(uint64_t), index, 0);
    check(wrong < 0, "mapped word of", name, (uint64_t)wrong);
}

static void check_by_read(const char *name, int index, uint64_t size) {
    static uint64_t buffer[READ_CHUNK / sizeof(uint64_t)];
    int fd = open(name, O_RDONLY);
    check(fd >= 0, "open of", name, 0);
    if (fd < 0) return;
    uint64_t offset = 0;
    while (offset < size) {
        ssize_t got = read(fd, buffer, READ_CHUNK);
        if (got <= 0 || got % sizeof(uint64_t)) break;
        long long wrong = first_wrong(buffer, (size_t)got / sizeof(uint64_t), index, offset);
        if (wrong >= 0) {
            check(0, "read word of", name, (uint64_t)wrong);
            close(fd);
            return;
        }
        offset += (uint64_t)got;
    }
    check(offset == size, "read to the end of", name, offset);
    close(fd);
}

static int private_right(uint64_t *memory, uint64_t pages) {
    for (uint64_t page = 0; page < pages; page++)
        if (memory[page * (PAGE / sizeof(uint64_t))] != (PRIVATE_SEED ^ page)) return 0;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc - 2 > MAX_FILES) {
        printf("usage: swap-files PRIVATE_MIB FILE... (at most %d)\n", MAX_FILES);
        return 2;
    }
    uint64_t private_pages = strtoull(argv[1], NULL, 0) << 20 >> 12;
    int files = argc - 2;
    const uint64_t *maps[MAX_FILES];
    uint64_t sizes[MAX_FILES];
    for (int i = 0; i < files; i++) {
        const char *name = argv[i + 2];
        int fd = open(name, O_RDONLY);
        struct stat status;
        if (fd < 0 || fstat(fd, &status) != 0 || status.st_size % PAGE) {
            check(0, "open of a page-multiple file", name, 0);
            return 1;
        }
        sizes[i] = (uint64_t)status.st_size;
        maps[i] = mmap(NULL, sizes[i], PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        check(maps[i] != MAP_FAILED, "mmap of", name, 0);
        if (maps[i] == MAP_FAILED) return 1;
        check_mapping(maps[i], sizes[i], i, name);
    }
    long long cached_files = cached_kib();

    uint64_t *memory = mmap(NULL, private_pages * PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(memory != MAP_FAILED, "mmap of", "the private memory", 0);
    if (memory == MAP_FAILED) return 1;
    madvise(memory, private_pages * PAGE, MADV_NOHUGEPAGE);
    for (uint64_t page = 0; page < private_pages; page++)
        memory[page * (PAGE / sizeof(uint64_t))] = PRIVATE_SEED ^ page;
    long long cached_pressure = cached_kib();
    printf("swap-files: Cached after the files %lld kB, under pressure %lld kB\n", cached_files,
           cached_pressure);
    fflush(stdout);
    check(private_right(memory, private_pages), "private page", "after the fill", 0);

    for (int i = files - 1; i >= 0; i--) check_by_read(argv[i + 2], i, sizes[i]);
    for (int i = 0; i < files; i++) check_mapping(maps[i], sizes[i], i, argv[i + 2]);
    check(private_right(memory, private_pages), "private page", "after the files", 0);
    if (failures) {
        printf("swap-files: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("swap-files: all %d checks passed\n", checks);
    return 0;
}
