/* Swap-backed object pages (issue 12): run with less RAM than the data, and swap.
 *
 *   tmpfs_swap file MIB   a MIB-MiB file in /tmp, written with write(), read back with read()
 *                         and through a MAP_SHARED mapping, every 8-byte word checked; a word
 *                         per page rewritten through the mapping and read back with pread();
 *                         st_blocks covers it; truncated to half, then unlinked: SwapFree
 *                         (/proc/meminfo) comes back to its start value, less what this
 *                         process's own private pages hold (VmSwap).
 *   tmpfs_swap shm MIB    a MIB-MiB MAP_SHARED|MAP_ANONYMOUS region written by the parent,
 *                         every word checked by a forked child, which rewrites a word per
 *                         page; the parent checks those after the child exits; unmapped:
 *                         SwapFree back as above.
 *
 * Prints "RESULT <phase>" per phase passed, "FAIL: ..." per failure; exits 0 when all pass. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define CHUNK (64 * 1024UL)
#define PATH "/tmp/tmpfs_swap.data"

/* Linux 6.1 keeps up to SWAP_SLOTS_CACHE_SIZE (64) slots per CPU taken ahead and as many
 * freed but not yet returned (mm/swap_slots.c), so its SwapFree lags by up to 128 pages;
 * tests/system/test_swap_tmpfs.py checks our kernel's figure exactly. */
#define SLOTS_CACHE_KB (2 * 64 * 4)

static int failures;

static void fail(const char *what, unsigned long at) {
    printf("FAIL: %s at %lu\n", what, at);
    fflush(stdout);
    failures++;
}

static uint64_t pattern(uint64_t word, uint64_t version) {
    return (version << 56) ^ (word * 0x9E3779B97F4A7C15ULL >> 8) ^ 0x5A5A;
}

/* A field of /proc/meminfo or /proc/self/status, in kB (-1 when absent). */
static long proc_kb(const char *file, const char *field) {
    FILE *f = fopen(file, "r");
    if (!f) return -1;
    char line[256];
    long value = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            value = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

/* What this process's own private pages may hold of swap, in kB: VmSwap read before and
 * after SwapFree (a swap-out between the reads shows in the second, a swap-in only makes
 * SwapFree larger), and the swap cache's copies (Linux keeps the slot of a page swapped back
 * in while swap is not full). */
static void check_swap_back(long start) {
    long own = proc_kb("/proc/self/status", "VmSwap");
    long end = proc_kb("/proc/meminfo", "SwapFree");
    long cached = proc_kb("/proc/meminfo", "SwapCached");
    long again = proc_kb("/proc/self/status", "VmSwap");
    if (again > own) own = again;
    if (own < 0) own = 0;
    if (cached > 0) own += cached;
    printf("SWAPFREE start %ld end %ld own %ld\n", start, end, own);
    if (start < 0 || end < 0) fail("no SwapFree in /proc/meminfo", 0);
    else if (end + own + SLOTS_CACHE_KB < start)
        fail("swap slots not returned", (unsigned long)(start - end));
}

/* Linux under tools/run-linux boots an initramfs without /tmp: a tmpfs large enough is
 * mounted there (our kernel's root file system has /tmp, a tmpfs of RAM + swap). */
static void ensure_tmp(void) {
    if (access("/tmp", F_OK) == 0) return;
    if (mkdir("/tmp", 01777) != 0) fail("mkdir /tmp", errno);
    if (mount("tmpfs", "/tmp", "tmpfs", 0, "size=1g") != 0) fail("mount /tmp", errno);
}

static int file_mode(unsigned long mib) {
    unsigned long size = mib << 20, words = size / 8;
    ensure_tmp();
    long swap_start = proc_kb("/proc/meminfo", "SwapFree");
    static uint64_t buffer[CHUNK / 8];
    int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { fail("open", errno); return 1; }
    for (unsigned long off = 0; off < size; off += CHUNK) {
        for (unsigned long i = 0; i < CHUNK / 8; i++) buffer[i] = pattern(off / 8 + i, 1);
        if (write(fd, buffer, CHUNK) != (ssize_t)CHUNK) { fail("write", off); return 1; }
    }
    printf("RESULT write\n");
    struct stat st;
    if (fstat(fd, &st) != 0 || (unsigned long)st.st_size != size) fail("fstat size", 0);
    else if ((unsigned long)st.st_blocks * 512 < size) fail("st_blocks", st.st_blocks);
    if (lseek(fd, 0, SEEK_SET) != 0) fail("lseek", 0);
    int bad = failures;
    for (unsigned long off = 0; off < size && failures - bad < 5; off += CHUNK) {
        if (read(fd, buffer, CHUNK) != (ssize_t)CHUNK) { fail("read", off); break; }
        for (unsigned long i = 0; i < CHUNK / 8; i++)
            if (buffer[i] != pattern(off / 8 + i, 1)) { fail("read word", off / 8 + i); break; }
    }
    if (failures == bad) printf("RESULT read\n");
    uint64_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) { fail("mmap", errno); return 1; }
    bad = failures;
    for (unsigned long w = 0; w < words && failures - bad < 5; w++)
        if (map[w] != pattern(w, 1)) fail("mapped word", w);
    for (unsigned long w = 0; w < words; w += PAGE / 8) map[w] = pattern(w, 2);
    if (munmap(map, size) != 0) fail("munmap", errno);
    for (unsigned long w = 0; w < words && failures - bad < 5; w += PAGE / 8) {
        uint64_t pair[2];
        if (pread(fd, pair, sizeof pair, w * 8) != sizeof pair) { fail("pread", w); break; }
        if (pair[0] != pattern(w, 2) || pair[1] != pattern(w + 1, 1)) fail("pread word", w);
    }
    if (failures == bad) printf("RESULT mmap\n");
    if (ftruncate(fd, size / 2) != 0) fail("ftruncate", errno);
    uint64_t last;
    if (pread(fd, &last, 8, size / 2 - 8) != 8 || last != pattern(words / 2 - 1, 1))
        fail("last word after ftruncate", words / 2 - 1);
    close(fd);
    if (unlink(PATH) != 0) fail("unlink", errno);
    check_swap_back(swap_start);
    if (failures == 0) printf("RESULT free\n");
    return failures ? 1 : 0;
}

static int shm_mode(unsigned long mib) {
    unsigned long size = mib << 20, words = size / 8;
    long swap_start = proc_kb("/proc/meminfo", "SwapFree");
    uint64_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) { fail("mmap", errno); return 1; }
    for (unsigned long w = 0; w < words; w++) map[w] = pattern(w, 1);
    printf("RESULT write\n");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) { fail("fork", errno); return 1; }
    if (child == 0) {
        int bad = 0;
        for (unsigned long w = 0; w < words && bad < 5; w++)
            if (map[w] != pattern(w, 1)) { fail("child word", w); bad++; }
        for (unsigned long w = 0; w < words; w += PAGE / 8) map[w] = pattern(w, 2);
        _exit(bad ? 1 : 0);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("child", (unsigned long)status);
    else
        printf("RESULT child\n");
    int bad = failures;
    for (unsigned long w = 0; w < words && failures - bad < 5; w++)
        if (map[w] != pattern(w, w % (PAGE / 8) == 0 ? 2 : 1)) fail("parent word", w);
    if (failures == bad) printf("RESULT parent\n");
    if (munmap(map, size) != 0) fail("munmap", errno);
    check_swap_back(swap_start);
    if (failures == 0) printf("RESULT free\n");
    return failures ? 1 : 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: tmpfs_swap file|shm MIB\n");
        return 2;
    }
    unsigned long mib = strtoul(argv[2], NULL, 10);
    if (strcmp(argv[1], "file") == 0) return file_mode(mib);
    if (strcmp(argv[1], "shm") == 0) return shm_mode(mib);
    return 2;
}
