/* tmpfs_big [MiB] [ROUNDS] [DIR]: writes a file of MiB mebibytes (default 96) in DIR (default
 * /tmp) a mebibyte at a time, each mebibyte its own pattern, reads it all back and checks it,
 * unlinks it — ROUNDS times (default 4). The free memory sysinfo reports after each unlink must
 * come back to what it was after the first (within 8 MiB: Linux's own caches move a little),
 * so a file system that kept a deleted file's pages fails by the second round. One "FAIL: ..."
 * line per failed check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

enum { mebibyte = 1 << 20 };
static unsigned char chunk[mebibyte], back[mebibyte];

/* The mebibyte `index` writes: a fixed pattern with each page's first word naming (index,
 * page), so that a page read from the wrong place shows. */
static void pattern(int index) {
    static int made;
    if (!made) {
        for (int i = 0; i < mebibyte; i += 8) *(unsigned long long *)(chunk + i) = i * 0x9e3779b97f4a7c15ull;
        made = 1;
    }
    for (int page = 0; page < mebibyte / 4096; page++)
        *(unsigned long long *)(chunk + page * 4096) = ((unsigned long long)index << 32) | (unsigned)page;
}

/* Whether `back` equals `chunk`, a word at a time. */
static int same(void) {
    const unsigned long long *a = (const void *)chunk, *b = (const void *)back;
    for (int i = 0; i < mebibyte / 8; i++) if (a[i] != b[i]) return 0;
    return 1;
}

static long long free_bytes(void) {
    struct sysinfo info;
    sysinfo(&info);
    return (long long)info.freeram * info.mem_unit;
}

int main(int argc, char **argv) {
    int size = argc > 1 ? atoi(argv[1]) : 96;
    int rounds = argc > 2 ? atoi(argv[2]) : 4;
    char path[512];
    snprintf(path, sizeof path, "%s/tmpfs_big.%d", argc > 3 ? argv[3] : "/tmp", (int)getpid());
    int failures = 0;
    long long baseline = 0;
    /* Free memory says whether a deleted file's pages came back only on a tmpfs (elsewhere the
     * page cache keeps them): the check is made only there. */
    struct statfs fs;
    int tmpfs = statfs(argc > 3 ? argv[3] : "/tmp", &fs) == 0 && fs.f_type == 0x01021994;
    if (!tmpfs) printf("tmpfs_big: not a tmpfs, free memory not checked\n");
    for (int round = 0; round < rounds; round++) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0) { printf("FAIL: round %d: open (errno %d)\n", round, errno); return 1; }
        for (int index = 0; index < size; index++) {
            pattern(index + round);
            if (write(fd, chunk, mebibyte) != mebibyte) {
                printf("FAIL: round %d: write %d (errno %d)\n", round, index, errno);
                return 1;
            }
        }
        struct stat st;
        fstat(fd, &st);
        if (st.st_size != (off_t)size * mebibyte || st.st_blocks != (long long)size * mebibyte / 512) {
            printf("FAIL: round %d: size %ld blocks %ld\n", round, (long)st.st_size, (long)st.st_blocks);
            failures++;
        }
        for (int index = 0; index < size; index++) {
            pattern(index + round);
            if (pread(fd, back, mebibyte, (off_t)index * mebibyte) != mebibyte || !same()) {
                printf("FAIL: round %d: mebibyte %d reads back wrong\n", round, index);
                failures++;
                break;
            }
        }
        close(fd);
        unlink(path);
        long long now = free_bytes();
        if (round == 0) baseline = now;
        else if (tmpfs && now < baseline - 8LL * mebibyte) {
            printf("FAIL: round %d: %lld MiB free, %lld after the first\n", round, now / mebibyte, baseline / mebibyte);
            failures++;
        }
    }
    printf("tmpfs_big: %d rounds of %d MiB written, read and unlinked, %d failed\n", rounds, size, failures);
    return failures != 0;
}
