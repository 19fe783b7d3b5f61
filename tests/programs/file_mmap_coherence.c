/* file_mmap_coherence: file pages are one set of frames for read, write and every mapping
 * (issue 11 §2, §5) — on a file this program writes in /tmp:
 * - MAP_SHARED: a store through the mapping is what read() returns at once; a write() is what
 *   the mapping shows at once; two shared mappings of one file are one memory;
 * - MAP_PRIVATE: an untouched page follows later write()s (it is still the file's page); a
 *   store copies the page: the file and the shared mapping never see it;
 * - fork: the child's shared stores reach the parent and the file, its private ones do not;
 * - ftruncate shrinking a mapped file: the part of the last page past the end reads zeros, a
 *   page wholly past the end is SIGBUS (BUS_ADRERR, si_addr exact); growing the file again
 *   makes the page valid, zero-filled;
 * - an unlinked file lives while mapped: its pages keep their contents after close and unlink.
 * One "FAIL: ..." line per failed check; the last line counts the checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

enum { PAGE = 4096, PAGES = 4 };

static sigjmp_buf recovery;
static volatile int bus_signals, bus_code;
static void *volatile bus_address;

static void on_bus(int signal, siginfo_t *info, void *context) {
    (void)signal, (void)context;
    bus_signals++;
    bus_code = info->si_code;
    bus_address = info->si_addr;
    siglongjmp(recovery, 1);
}

/* Reads the byte at `address`; -1 when the read raised SIGBUS. */
static int probe(volatile unsigned char *address) {
    if (sigsetjmp(recovery, 1)) return -1;
    return *address;
}

static int make_file(const char *path, char fill) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "create %s", path);
    char page[PAGE];
    memset(page, fill, sizeof page);
    for (int i = 0; i < PAGES; i++) CHECK(write(fd, page, PAGE) == PAGE, "write page %d", i);
    return fd;
}

static char byte_at(int fd, off_t offset) {
    char value = 0;
    CHECK(pread(fd, &value, 1, offset) == 1, "pread at %ld", (long)offset);
    return value;
}

static void shared_and_private(void) {
    int fd = make_file("/tmp/coherence", 'a');
    char *shared = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *again = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *private = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(shared != MAP_FAILED && again != MAP_FAILED && private != MAP_FAILED, "mmap");
    shared[10] = 'S';
    CHECK(byte_at(fd, 10) == 'S', "read() sees a shared store");
    CHECK(again[10] == 'S', "a second shared mapping sees it");
    CHECK(pwrite(fd, "W", 1, PAGE + 20) == 1, "pwrite");
    CHECK(shared[PAGE + 20] == 'W' && again[PAGE + 20] == 'W', "the mappings see a write()");
    CHECK(private[PAGE + 20] == 'W', "an untouched private page follows the file");
    private[2 * PAGE] = 'P';
    CHECK(byte_at(fd, 2 * PAGE) == 'a' && shared[2 * PAGE] == 'a', "a private store stays private");
    CHECK(pwrite(fd, "L", 1, 2 * PAGE + 1) == 1, "pwrite after the copy");
    CHECK(private[2 * PAGE + 1] == 'a' && private[2 * PAGE] == 'P', "the copied page no longer follows");
    CHECK(shared[2 * PAGE + 1] == 'L', "the shared mapping does");

    pid_t child = fork();
    if (child == 0) {
        shared[3 * PAGE] = 'C';
        private[3 * PAGE + 1] = 'c';
        _exit(private[2 * PAGE] == 'P' ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "child: its private copy inherited");
    CHECK(shared[3 * PAGE] == 'C' && byte_at(fd, 3 * PAGE) == 'C', "the child's shared store is the file's");
    CHECK(private[3 * PAGE + 1] == 'a' && byte_at(fd, 3 * PAGE + 1) == 'a', "its private store is its own");
    munmap(shared, PAGES * PAGE);
    munmap(again, PAGES * PAGE);
    munmap(private, PAGES * PAGE);
    close(fd);
    CHECK(unlink("/tmp/coherence") == 0, "unlink");
}

static void truncation(void) {
    int fd = make_file("/tmp/coherence-truncated", 'b');
    unsigned char *map = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(map != MAP_FAILED, "mmap");
    CHECK(probe(map + 3 * PAGE) == 'b', "the last page before the shrink");
    CHECK(ftruncate(fd, PAGE + 100) == 0, "ftruncate to 1 page + 100 bytes");
    CHECK(probe(map + PAGE + 99) == 'b', "the last byte of the file");
    CHECK(probe(map + PAGE + 100) == 0, "past the end in the last page: zeros");
    bus_signals = 0;
    CHECK(probe(map + 2 * PAGE) == -1 && bus_signals == 1, "a page past the end: SIGBUS");
    CHECK(bus_code == BUS_ADRERR && bus_address == map + 2 * PAGE, "BUS_ADRERR at %p (si_addr %p)",
          (void *)(map + 2 * PAGE), bus_address);
    CHECK(probe(map + 3 * PAGE + 5) == -1 && bus_signals == 2, "the page it was read through before");
    CHECK(ftruncate(fd, PAGES * PAGE) == 0, "grow it again");
    CHECK(probe(map + 3 * PAGE) == 0 && probe(map + PAGE + 100) == 0, "valid again, zero-filled");
    map[3 * PAGE] = 'g';
    CHECK(byte_at(fd, 3 * PAGE) == 'g', "and shared again");
    close(fd);
    CHECK(unlink("/tmp/coherence-truncated") == 0, "unlink while mapped");
    CHECK(map[3 * PAGE] == 'g' && map[0] == 'b', "an unlinked file lives while mapped");
    map[1] = 'u';
    CHECK(map[1] == 'u', "and is still writable");
    CHECK(munmap(map, PAGES * PAGE) == 0, "munmap the last mapping");
}

int main(void) {
    struct sigaction action = {0};
    action.sa_sigaction = on_bus;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &action, NULL);
    shared_and_private();
    truncation();
    printf("file_mmap_coherence: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
