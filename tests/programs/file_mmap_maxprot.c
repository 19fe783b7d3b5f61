/* file_mmap_maxprot: the most a file mapping may become (Linux's VM_MAY* flags, mm/mmap.c
 * `do_mmap`, mm/mprotect.c): a MAP_SHARED mapping of a file opened O_RDONLY may never be made
 * writable — mprotect(PROT_WRITE) is EACCES, the pages before it in the range do change, and
 * it shows "s" in /proc/self/maps — while PROT_EXEC is allowed; a MAP_PRIVATE mapping of the
 * same descriptor may be written (privately), and a MAP_SHARED one of an O_RDWR descriptor made
 * writable writes the file. One "FAIL: ..." line per failed check; the last line counts them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096

/* The permission column of the /proc/self/maps line holding `address` ("" if none). */
static void permissions(void *address, char out[5]) {
    char line[512];
    unsigned long want = (unsigned long)address;
    out[0] = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return;
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 && start <= want && want < end) {
            memcpy(out, perms, 5);
            break;
        }
    }
    fclose(maps);
}

int main(void) {
    char path[256];
    snprintf(path, sizeof path, "/tmp/file_mmap_maxprot.%d", (int)getpid());
    int writer = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char page[PAGE];
    memset(page, 'f', sizeof page);
    CHECK(writer >= 0 && write(writer, page, PAGE) == PAGE && write(writer, page, PAGE) == PAGE, "make the file");
    int reader = open(path, O_RDONLY);
    CHECK(reader >= 0, "open O_RDONLY");

    char *shared = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, reader, 0);
    CHECK(shared != MAP_FAILED && shared[0] == 'f', "MAP_SHARED of the O_RDONLY file");
    char perms[5];
    permissions(shared, perms);
    CHECK(strcmp(perms, "r--s") == 0, "its maps line: %s (Linux: r--s)", perms);
    errno = 0;
    CHECK(mprotect(shared, 2 * PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
          "mprotect(PROT_WRITE) of it: EACCES");
    errno = 0;
    CHECK(mprotect(shared, PAGE, PROT_WRITE) == -1 && errno == EACCES, "PROT_WRITE alone: EACCES");
    CHECK(mprotect(shared, PAGE, PROT_READ | PROT_EXEC) == 0, "PROT_EXEC is allowed");
    permissions(shared, perms);
    CHECK(strcmp(perms, "r-xs") == 0, "after PROT_EXEC: %s (Linux: r-xs)", perms);
    CHECK(mprotect(shared, 2 * PAGE, PROT_NONE) == 0 && mprotect(shared, 2 * PAGE, PROT_READ) == 0,
          "PROT_NONE and back");

    /* An anonymous page just before it: changed, then the walk stops at the shared mapping. */
    char *before = mmap(shared - PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (before == shared - PAGE) {
        errno = 0;
        CHECK(mprotect(before, 2 * PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
              "mprotect across an anonymous page and the mapping: EACCES");
        permissions(before, perms);
        CHECK(strcmp(perms, "rw-p") == 0, "the page before it became writable: %s", perms);
        before[0] = 1;
        munmap(before, PAGE);
    }
    CHECK(munmap(shared, 2 * PAGE) == 0, "munmap");

    char *private = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, reader, 0);
    CHECK(private != MAP_FAILED, "MAP_PRIVATE of the O_RDONLY file");
    CHECK(mprotect(private, PAGE, PROT_READ | PROT_WRITE) == 0, "may be made writable");
    private[0] = 'p';
    char byte = 0;
    CHECK(pread(reader, &byte, 1, 0) == 1 && byte == 'f', "a private write leaves the file");
    munmap(private, PAGE);

    char *writable = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, writer, 0);
    CHECK(writable != MAP_FAILED, "MAP_SHARED of the O_RDWR file");
    CHECK(mprotect(writable, PAGE, PROT_READ | PROT_WRITE) == 0, "may be made writable");
    writable[0] = 'w';
    CHECK(pread(reader, &byte, 1, 0) == 1 && byte == 'w', "and writes the file");
    munmap(writable, PAGE);

    close(reader);
    close(writer);
    CHECK(unlink(path) == 0, "unlink");
    printf("file_mmap_maxprot: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
