/* proc_files: the /proc files of issue 11's leftovers, checked from inside a process:
 * /proc/self/smaps (a private anonymous mapping with one page written and one read — the zero
 * page is no Rss —, shared anonymous memory, a read-only file's MAP_SHARED mapping: sizes and
 * VmFlags, a trailing "sd" aside), smaps_rollup (its Rss the sum of smaps'), pagemap (present, exclusive, file/shared
 * and soft-dirty bits, the frame number shown to root, 0 outside any mapping, EINVAL for a
 * partial entry), /proc/mounts = /proc/self/mounts, /proc/filesystems, /proc/sys values, and
 * /proc/meminfo's Cached and Shmem growing by a 32 MiB file written on a tmpfs and shrinking
 * back when it is unlinked. One "FAIL: ..." line per failed check; the last line counts them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
#define TMPFS_MAGIC 0x01021994
#define MIB (1024L * 1024)

static char text[1 << 20];

/* The whole file into `text` (NUL-terminated); its length, -1 if it cannot be opened. */
static long slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long length = 0, got;
    while ((got = read(fd, text + length, sizeof text - 1 - length)) > 0) length += got;
    close(fd);
    text[length] = 0;
    return length;
}

/* The value of "Label:" in the smaps block of the mapping starting at `start` (-1 if none). */
static long smaps_field(unsigned long start, const char *label, char *vmflags, size_t size) {
    if (slurp("/proc/self/smaps") < 0) return -1;
    char header[32];
    snprintf(header, sizeof header, "%08lx-", start);
    char *block = strstr(text, header);
    if (!block || (block != text && block[-1] != '\n')) return -1;
    char *end = strstr(block, "VmFlags:");
    if (!end) return -1;
    if (vmflags) {
        /* without a trailing "sd " (VM_SOFTDIRTY: only kernels built with soft-dirty tracking,
         * as Debian's 6.1, show it) */
        size_t n = strcspn(end, "\n");
        if (n >= 3 && strncmp(end + n - 3, "sd ", 3) == 0) n -= 3;
        snprintf(vmflags, size, "%.*s", (int)(n < size ? n : size - 1), end);
    }
    char key[64];
    snprintf(key, sizeof key, "\n%s:", label);
    char *line = strstr(block, key);
    if (!line || line > end) return -1;
    return strtol(line + strlen(key), NULL, 10);
}

static void smaps(void) {
    char *anon = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    anon[0] = 1;
    (void)*(volatile char *)(anon + PAGE);
    char flags[128];
    unsigned long a = (unsigned long)anon;
    CHECK(smaps_field(a, "Size", flags, sizeof flags) == 12, "anonymous Size 12 kB");
    CHECK(smaps_field(a, "Rss", NULL, 0) == 4, "Rss 4 kB (the zero page is no Rss): %ld",
          smaps_field(a, "Rss", NULL, 0));
    CHECK(smaps_field(a, "Pss", NULL, 0) == 4, "Pss 4 kB");
    CHECK(smaps_field(a, "Private_Dirty", NULL, 0) == 4, "Private_Dirty 4 kB");
    CHECK(smaps_field(a, "Anonymous", NULL, 0) == 4, "Anonymous 4 kB");
    CHECK(smaps_field(a, "Swap", NULL, 0) == 0, "Swap 0 kB");
    CHECK(strcmp(flags, "VmFlags: rd wr mr mw me ac ") == 0, "anonymous VmFlags: '%s'", flags);

    char *shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared[0] = 1;
    unsigned long s = (unsigned long)shared;
    CHECK(smaps_field(s, "Rss", flags, sizeof flags) == 4, "shared Rss 4 kB");
    CHECK(smaps_field(s, "Anonymous", NULL, 0) == 0, "shared memory is not Anonymous");
    CHECK(strcmp(flags, "VmFlags: rd wr sh mr mw me ms ") == 0, "shared VmFlags: '%s'", flags);

    char path[64];
    snprintf(path, sizeof path, "/tmp/proc_files.%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char page[PAGE];
    memset(page, 'x', sizeof page);
    CHECK(fd >= 0 && write(fd, page, PAGE) == PAGE, "write a file");
    int reader = open(path, O_RDONLY);
    char *file = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, reader, 0);
    CHECK(file != MAP_FAILED && file[0] == 'x', "map it MAP_SHARED read-only");
    CHECK(smaps_field((unsigned long)file, "Rss", flags, sizeof flags) == 4, "file Rss 4 kB");
    CHECK(strcmp(flags, "VmFlags: rd mr me ms ") == 0, "read-only shared VmFlags: '%s'", flags);

    long rss = 0;
    CHECK(slurp("/proc/self/smaps") > 0, "read smaps");
    for (char *line = strstr(text, "\nRss:"); line; line = strstr(line + 1, "\nRss:"))
        rss += strtol(line + 5, NULL, 10);
    CHECK(slurp("/proc/self/smaps_rollup") > 0, "read smaps_rollup");
    char *first_end = strchr(text, '\n');
    CHECK(first_end && first_end - text > 8 && strncmp(first_end - 8, "[rollup]", 8) == 0,
          "the rollup's first line names [rollup]");
    char *total = strstr(text, "\nRss:");
    long rolled = total ? strtol(total + 5, NULL, 10) : -1;
    /* reading smaps_rollup may have touched a stack or heap page more */
    CHECK(rolled >= rss && rolled <= rss + 16, "rollup Rss %ld kB = the sum of smaps' %ld kB", rolled, rss);

    /* pagemap */
    int map = open("/proc/self/pagemap", O_RDONLY);
    CHECK(map >= 0, "open pagemap");
    uint64_t entry[3] = {0};
    CHECK(pread(map, entry, 24, a / PAGE * 8) == 24, "read 3 entries");
    /* bit 55, soft-dirty, is set only where the kernel tracks it (Debian's 6.1 does) */
    CHECK(entry[0] >> 63 == 1 && (entry[0] >> 56 & 1) && !(entry[0] >> 61 & 1),
          "written page: present, exclusive, anonymous (%#llx)", (unsigned long long)entry[0]);
    CHECK((entry[0] & ((1ULL << 55) - 1)) != 0, "root sees its frame number");
    CHECK(entry[1] >> 63 == 1 && !(entry[1] >> 56 & 1) && !(entry[1] >> 61 & 1),
          "zero page: present, not exclusive, no file (%#llx)", (unsigned long long)entry[1]);
    CHECK((entry[2] & ~(1ULL << 55)) == 0, "untouched page: nothing but soft-dirty (%#llx)",
          (unsigned long long)entry[2]);
    CHECK(pread(map, entry, 8, s / PAGE * 8) == 8 && entry[0] >> 63 == 1 && (entry[0] >> 61 & 1),
          "shared page: present, file/shared (%#llx)", (unsigned long long)entry[0]);
    CHECK(pread(map, entry, 8, (unsigned long)file / PAGE * 8) == 8 && entry[0] >> 63 == 1 && (entry[0] >> 61 & 1),
          "file page: present, file/shared (%#llx)", (unsigned long long)entry[0]);
    CHECK(pread(map, entry, 8, 0x1000 / PAGE * 8) == 8 && entry[0] == 0, "no mapping: 0");
    errno = 0;
    CHECK(pread(map, entry, 4, a / PAGE * 8) == -1 && errno == EINVAL, "half an entry: EINVAL");
    errno = 0;
    CHECK(pread(map, entry, 8, a / PAGE * 8 + 4) == -1 && errno == EINVAL, "a misaligned offset: EINVAL");
    close(map);
    munmap(file, PAGE);
    close(reader);
    close(fd);
    unlink(path);
    munmap(anon, 3 * PAGE);
    munmap(shared, 2 * PAGE);
}

static char mounts[8192];

static void tables(void) {
    CHECK(slurp("/proc/mounts") > 0, "read /proc/mounts");
    memcpy(mounts, text, sizeof mounts - 1);
    CHECK(strstr(mounts, " / ") != NULL, "a root mount: %s", mounts);
    CHECK(strstr(mounts, "proc /proc proc rw") != NULL, "procfs on /proc");
    CHECK(slurp("/proc/self/mounts") > 0 && strcmp(text, mounts) == 0, "/proc/self/mounts is the same");
    CHECK(slurp("/proc/filesystems") > 0 && strstr(text, "nodev\tproc\n") && strstr(text, "nodev\ttmpfs\n"),
          "/proc/filesystems has proc and tmpfs");
    struct utsname names;
    uname(&names);
    CHECK(slurp("/proc/sys/kernel/ostype") > 0 && strcmp(text, "Linux\n") == 0, "ostype");
    CHECK(slurp("/proc/sys/kernel/osrelease") > 0 && strncmp(text, names.release, strlen(names.release)) == 0 &&
              text[strlen(names.release)] == '\n',
          "osrelease is uname's");
    CHECK(slurp("/proc/sys/kernel/hostname") > 0 && strncmp(text, names.nodename, strlen(names.nodename)) == 0,
          "hostname is uname's");
    CHECK(slurp("/proc/sys/kernel/pid_max") > 0 && atol(text) >= 32768, "pid_max");
    CHECK(slurp("/proc/sys/vm/max_map_count") > 0 && atol(text) > 0, "max_map_count");
    CHECK(slurp("/proc/sys/vm/overcommit_memory") > 0 && text[0] >= '0' && text[0] <= '2' && text[1] == '\n',
          "overcommit_memory");
    CHECK(slurp("/proc/sys/fs/nr_open") > 0 && atol(text) == 1048576, "nr_open");
    CHECK(slurp("/proc/sys/fs/file-max") > 0 && atol(text) > 0, "file-max");
    CHECK(slurp("/proc/sys/kernel/nothing") == -1 && errno == ENOENT, "no such setting: ENOENT");
}

static long meminfo(const char *label) {
    if (slurp("/proc/meminfo") < 0) return -1;
    char key[64];
    snprintf(key, sizeof key, "\n%s:", label);
    char *line = strstr(text, key);
    return line ? strtol(line + strlen(key), NULL, 10) : -1;
}

/* A 32 MiB file on a tmpfs (/dev/shm where it is one, as on the host, else /tmp): Cached and
 * Shmem grow by it, and shrink back after the unlink. */
static void tmpfs_load(void) {
    struct statfs fs;
    const char *directory = statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC ? "/dev/shm" : "/tmp";
    CHECK(statfs(directory, &fs) == 0 && fs.f_type == TMPFS_MAGIC, "%s is a tmpfs", directory);
    char path[64];
    snprintf(path, sizeof path, "%s/proc_files_load.%d", directory, (int)getpid());
    long cached = meminfo("Cached"), shmem = meminfo("Shmem");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static char chunk[MIB];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 32; i++) CHECK(write(fd, chunk, MIB) == MIB, "write MiB %d", i);
    close(fd);
    long cached_full = meminfo("Cached"), shmem_full = meminfo("Shmem");
    long grown = cached_full - cached, shmem_grown = shmem_full - shmem;
    /* Shmem moves only with shared memory; Cached also with every file anyone reads, which on
     * a busy host comes and goes by megabytes: its checks have room for that. */
    CHECK(grown >= 24 * 1024 && grown <= 64 * 1024, "Cached grew by %ld kB (32 MiB written)", grown);
    CHECK(cached_full >= shmem_full, "Cached (%ld kB) includes Shmem (%ld kB)", cached_full, shmem_full);
    CHECK(shmem_grown >= 31 * 1024 && shmem_grown <= 48 * 1024, "Shmem grew by %ld kB", shmem_grown);
    CHECK(unlink(path) == 0, "unlink");
    long cached_after = meminfo("Cached"), shmem_after = meminfo("Shmem");
    CHECK(cached_full - cached_after >= 24 * 1024, "Cached fell by %ld kB after the unlink", cached_full - cached_after);
    printf("proc_files: a 32 MiB file on %s: Cached +%ld kB, Shmem +%ld kB; unlinked: Cached -%ld kB, Shmem -%ld kB\n",
           directory, grown, shmem_grown, cached_full - cached_after, shmem_full - shmem_after);
    CHECK(shmem_full - shmem_after >= 31 * 1024 && labs(shmem_after - shmem) <= 8 * 1024,
          "Shmem back: %ld kB before, %ld kB after", shmem, shmem_after);
}

int main(void) {
    smaps();
    tables();
    tmpfs_load();
    printf("proc_files: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
