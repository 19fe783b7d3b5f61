/* exec_text_busy: Linux's ETXTBSY (`i_writecount`, fs/exec.c `deny_write_access`). This
 * program copied to /tmp and run: while the copy runs, opening it for writing (O_WRONLY,
 * O_RDWR), with O_TRUNC, and truncate() of it fail ETXTBSY — also from the running copy itself
 * through /proc/self/exe — while reading it works; after it ended, writing works again; and
 * execve of the copy while a descriptor may write it fails ETXTBSY (it ran fine before). One
 * "FAIL: ..." line per failed check; the last line counts the checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* The running copy: it tries to write itself, says so on `ready`, waits for `release` to
 * close, and exits 0 when its own checks held. */
static int running_copy(int ready, int release) {
    int own = open("/proc/self/exe", O_WRONLY) == -1 && errno == ETXTBSY;
    int readable = open("/proc/self/exe", O_RDONLY) >= 0;
    char byte = own && readable ? 'y' : 'n';
    if (write(ready, &byte, 1) != 1) return 2;
    while (read(release, &byte, 1) > 0) {
    }
    return own && readable ? 0 : 1;
}

static void copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    CHECK(in >= 0 && out >= 0, "open %s and %s", from, to);
    char buffer[65536];
    long got;
    while ((got = read(in, buffer, sizeof buffer)) > 0) CHECK(write(out, buffer, got) == got, "copy");
    close(in);
    close(out);
}

static pid_t start(const char *path, int *ready, int *release) {
    int to_parent[2], to_child[2];
    CHECK(pipe(to_parent) == 0 && pipe(to_child) == 0, "pipes");
    pid_t child = fork();
    if (child == 0) {
        char a[16], b[16];
        close(to_parent[0]);
        close(to_child[1]);
        snprintf(a, sizeof a, "%d", to_parent[1]);
        snprintf(b, sizeof b, "%d", to_child[0]);
        execl(path, path, "running", a, b, (char *)NULL);
        _exit(127);
    }
    close(to_parent[1]);
    close(to_child[0]);
    *ready = to_parent[0];
    *release = to_child[1];
    return child;
}

static void while_running(const char *path) {
    int ready, release;
    pid_t child = start(path, &ready, &release);
    char byte = 0;
    CHECK(read(ready, &byte, 1) == 1, "the copy started");
    CHECK(byte == 'y', "the running copy could not open itself for writing (ETXTBSY) but could read");
    errno = 0;
    CHECK(open(path, O_WRONLY) == -1 && errno == ETXTBSY, "O_WRONLY of a running program: ETXTBSY");
    errno = 0;
    CHECK(open(path, O_RDWR) == -1 && errno == ETXTBSY, "O_RDWR: ETXTBSY");
    errno = 0;
    CHECK(open(path, O_RDONLY | O_TRUNC) == -1 && errno == ETXTBSY, "O_RDONLY|O_TRUNC: ETXTBSY");
    errno = 0;
    CHECK(truncate(path, 0) == -1 && errno == ETXTBSY, "truncate: ETXTBSY");
    int reader = open(path, O_RDONLY);
    CHECK(reader >= 0, "O_RDONLY of a running program");
    close(reader);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 0, "the copy kept its bytes");
    close(release);
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the running copy ended well (status %#x)", status);
    close(ready);
    int writer = open(path, O_WRONLY);
    CHECK(writer >= 0, "O_WRONLY once it ended");
    close(writer);
}

static void open_for_writing(const char *path) {
    int writer = open(path, O_WRONLY);
    CHECK(writer >= 0, "open the copy for writing");
    pid_t child = fork();
    if (child == 0) {
        execl(path, path, "never", (char *)NULL);
        _exit(errno == ETXTBSY ? 0 : 1);
    }
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "execve of a file open for writing: ETXTBSY (status %#x)", status);
    errno = 0;
    CHECK(execl(path, path, "never", (char *)NULL) == -1 && errno == ETXTBSY, "and in this process");
    close(writer);
    int ready, release;
    child = start(path, &ready, &release);
    char byte = 0;
    CHECK(read(ready, &byte, 1) == 1 && byte == 'y', "closed again, the copy runs");
    close(release);
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the copy ended well");
    close(ready);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "running") == 0) return running_copy(atoi(argv[2]), atoi(argv[3]));
    if (argc > 1) return 3;
    char path[256];
    snprintf(path, sizeof path, "/tmp/exec_text_busy.%d", (int)getpid());
    copy_file(argv[0], path);
    while_running(path);
    open_for_writing(path);
    CHECK(unlink(path) == 0, "unlink the copy");
    printf("exec_text_busy: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
