/*
 * Runs several test programs one after another in one boot, so that a suite costs one boot of
 * each kernel instead of one per program (tools/build-selftests builds it static, musl).
 *
 *   selftest-batch SECONDS -- PROGRAM [ARGS...] -- PROGRAM [ARGS...] ...
 *
 * For each program, in order, on stdout (unbuffered write(2), so it interleaves correctly with
 * the program's own output, which goes to the same console):
 *
 *   \n@@SELFTEST-BEGIN N@@\n        before it starts (N counts from 0)
 *   the program's output
 *   \n@@SELFTEST-END N STATUS@@\n   STATUS = its exit code, 128 + the signal that killed it,
 *                                   "timeout" when it ran longer than SECONDS (then SIGKILL),
 *                                   "nofork" / "noexec" when it could not be started
 *
 * The timeout is a watcher process that sleeps and then kills the program, so it needs only
 * fork, nanosleep, kill and wait4 — not alarm or signal handlers, which a kernel under test
 * may not have yet. The batch's own exit status is 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void put(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void mark_end(int index, const char *status) {
    char line[96];
    snprintf(line, sizeof line, "\n@@SELFTEST-END %d %s@@\n", index, status);
    put(line);
}

/* Runs argv[0] with its arguments; reports its end. */
static void run_one(int index, char **argv, unsigned seconds, char **envp) {
    char line[96];
    snprintf(line, sizeof line, "\n@@SELFTEST-BEGIN %d@@\n", index);
    put(line);
    pid_t program = fork();
    if (program < 0) {
        mark_end(index, "nofork");
        return;
    }
    if (program == 0) {
        execve(argv[0], argv, envp);
        _exit(127);
    }
    /* The watcher writes a byte to `fired` before it kills the program, so once the program
     * is reaped the byte says whether the timeout killed it. */
    int fired[2] = {-1, -1};
    if (pipe2(fired, O_NONBLOCK) != 0) fired[0] = fired[1] = -1;
    pid_t watcher = fork();
    if (watcher == 0) {
        struct timespec t = {.tv_sec = seconds, .tv_nsec = 0};
        while (nanosleep(&t, &t) != 0 && errno == EINTR) {
        }
        if (fired[1] >= 0 && write(fired[1], "!", 1) != 1) _exit(1);
        kill(program, SIGKILL);
        _exit(0);
    }
    int status = 0;
    while (waitpid(program, &status, 0) < 0 && errno == EINTR) {
    }
    char byte;
    int timed_out = fired[0] >= 0 && read(fired[0], &byte, 1) == 1;
    if (watcher > 0) {
        kill(watcher, SIGKILL);
        while (waitpid(watcher, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (fired[0] >= 0) {
        close(fired[0]);
        close(fired[1]);
    }
    if (timed_out) {
        mark_end(index, "timeout");
    } else if (WIFSIGNALED(status)) {
        char word[16];
        snprintf(word, sizeof word, "%d", 128 + WTERMSIG(status));
        mark_end(index, word);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        mark_end(index, "noexec");
    } else {
        char word[16];
        snprintf(word, sizeof word, "%d", WEXITSTATUS(status));
        mark_end(index, word);
    }
}

int main(int argc, char **argv, char **envp) {
    if (argc < 3 || strcmp(argv[2], "--") != 0) {
        put("usage: selftest-batch SECONDS -- PROGRAM [ARGS...] -- ...\n");
        return 2;
    }
    unsigned seconds = (unsigned)strtoul(argv[1], NULL, 10);
    int index = 0;
    for (int i = 3; i < argc;) {
        int end = i;
        while (end < argc && strcmp(argv[end], "--") != 0) end++;
        argv[end < argc ? end : argc] = NULL; /* argv[argc] is NULL already */
        if (end > i) run_one(index++, argv + i, seconds, envp);
        i = end + 1;
    }
    put("\n@@SELFTEST-DONE@@\n");
    return 0;
}
