/* process_demo [MiB] — several processes alive at once, sharing memory: the `make run` demo.
 *
 * The parent fills MiB (default 16) of anonymous memory with a per-page pattern, then starts a
 * three-stage pipeline, all alive at once:
 *
 *     producer --pipe--> doubler --pipe--> parent (sums)
 *
 * The producer and the doubler are forked after the fill, so each begins by sharing every one
 * of the parent's pages copy-on-write: each checks the whole pattern (reads copy nothing), then
 * the doubler writes one page of its own (one copy). The producer sends 1..1000, the doubler
 * doubles each number, the parent checks the sum (1,001,000) and that its own pages were not
 * changed by the doubler's write. Status 0 when every check held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum { page_size = 4096, count = 1000 };

static unsigned char *memory;
static size_t pages;

static unsigned char pattern(size_t page) { return (unsigned char)(page * 7 + 1); }

/* Whether every page still holds its pattern (first and last byte). */
static int pattern_intact(void)
{
    for (size_t page = 0; page < pages; page++) {
        unsigned char *p = memory + page * page_size;
        if (p[0] != pattern(page) || p[page_size - 1] != pattern(page)) return 0;
    }
    return 1;
}

static long minor_faults(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

static void say(const char *who, const char *what)
{
    printf("%-8s pid %d (parent %d): %s\n", who, (int)getpid(), (int)getppid(), what);
    fflush(stdout);
}

static void check_shared(const char *who)
{
    long before = minor_faults();
    int intact = pattern_intact();
    char line[160];
    snprintf(line, sizeof line, "sees the parent's %zu pages %s, %ld faults to read them", pages,
             intact ? "intact" : "CHANGED", minor_faults() - before);
    say(who, line);
    if (!intact) exit(1);
}

static void producer(int out)
{
    check_shared("producer");
    for (int i = 1; i <= count; i++)
        if (write(out, &i, sizeof i) != sizeof i) exit(2);
    exit(0);
}

static void doubler(int in, int out)
{
    check_shared("doubler");
    memory[0] = 0xee; /* one copy-on-write fault: the parent must still see its pattern */
    say("doubler", "wrote its own copy of page 0");
    int value;
    while (read(in, &value, sizeof value) == sizeof value) {
        value *= 2;
        if (write(out, &value, sizeof value) != sizeof value) exit(2);
    }
    exit(0);
}

static void start(void (*body)(int, int), int in, int out, int close1, int close2)
{
    pid_t pid = fork();
    if (pid < 0) {
        printf("FAIL: fork\n");
        exit(1);
    }
    if (pid == 0) {
        close(close1);
        if (close2 >= 0) close(close2);
        body(in, out);
    }
}

static void producer_body(int in, int out)
{
    (void)in;
    producer(out);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], 0, 10) : 16;
    pages = mib * 256;
    memory = mmap(0, pages * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        printf("FAIL: mmap\n");
        return 1;
    }
    for (size_t page = 0; page < pages; page++)
        memset(memory + page * page_size, pattern(page), page_size);
    say("parent", "filled its memory; starting producer | doubler");

    int first[2], second[2];
    if (pipe(first)) {
        printf("FAIL: pipe\n");
        return 1;
    }
    start(producer_body, -1, first[1], first[0], -1);
    if (pipe(second)) {
        printf("FAIL: pipe\n");
        return 1;
    }
    start(doubler, first[0], second[1], first[1], second[0]);
    close(first[0]);
    close(first[1]);
    close(second[1]);

    long sum = 0;
    int value;
    while (read(second[0], &value, sizeof value) == sizeof value) sum += value;
    int failures = 0;
    int status;
    for (int i = 0; i < 2; i++) {
        pid_t done = wait(&status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("FAIL: child %d ended with status %#x\n", (int)done, status);
            failures++;
        }
    }
    char line[160];
    snprintf(line, sizeof line, "sum of doubled 1..%d = %ld (expected %ld)", count, sum,
             (long)count * (count + 1));
    say("parent", line);
    if (sum != (long)count * (count + 1)) failures++;
    if (!pattern_intact()) {
        printf("FAIL: the doubler's write reached the parent\n");
        failures++;
    }
    say("parent", failures ? "FAILED" : "every check held");
    return failures != 0;
}
