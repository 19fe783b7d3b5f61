/* tmpfs_exec_memfd: memfd_create (an anonymous file: its checks, shared across fork through the
 * descriptor, EINVAL for bad flags or a long name), and execve of a file written at run time
 * (this program copied to /tmp, chmod 755, run three times — twice at once — with "child" and
 * printing its argument), then a rewrite of the copy executed again. One "FAIL: ..." line per
 * failed check; the last line counts the checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static void memfd(void) {
    int fd = syscall(SYS_memfd_create, "scratch", 0);
    CHECK(fd >= 0, "memfd_create");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0777 && st.st_nlink == 0 &&
              st.st_size == 0,
          "memfd stat: mode %o nlink %ld", st.st_mode, (long)st.st_nlink);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "memfd is O_RDWR");
    CHECK(fcntl(fd, F_GETFD) == 0, "no FD_CLOEXEC");
    CHECK(write(fd, "parent", 6) == 6, "write");
    pid_t child = fork();
    if (child == 0) {
        char buffer[8] = {0};
        int ok = pread(fd, buffer, 6, 0) == 6 && strcmp(buffer, "parent") == 0;
        ok &= pwrite(fd, "child!", 6, 6) == 6;
        _exit(ok ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child saw the parent's bytes");
    char buffer[16] = {0};
    CHECK(pread(fd, buffer, 16, 0) == 12 && strcmp(buffer, "parentchild!") == 0, "and the parent the child's");
    CHECK(ftruncate(fd, 3) == 0 && pread(fd, buffer, 16, 0) == 3, "ftruncate a memfd");
    close(fd);
    fd = syscall(SYS_memfd_create, "cloexec", MFD_CLOEXEC);
    CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "MFD_CLOEXEC");
    close(fd);
    char name[300];
    memset(name, 'm', 250);
    name[250] = 0;
    CHECK(syscall(SYS_memfd_create, name, 0) == -1 && errno == EINVAL, "a 250-byte name");
    name[249] = 0;
    fd = syscall(SYS_memfd_create, name, 0);
    CHECK(fd >= 0, "a 249-byte name");
    close(fd);
    CHECK(syscall(SYS_memfd_create, "x", 0x100) == -1 && errno == EINVAL, "an unknown flag");
    CHECK(syscall(SYS_memfd_create, (char *)8, 0) == -1 && errno == EFAULT, "an unreadable name");
}

static int run(const char *path, const char *argument) {
    pid_t child = fork();
    if (child == 0) {
        execl(path, path, argument, (char *)NULL);
        _exit(127);
    }
    return child;
}

static void exec_written(const char *self) {
    char path[256];
    snprintf(path, sizeof path, "/tmp/tmpfs_exec_memfd.%d", (int)getpid());
    int in = open(self, O_RDONLY), out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(in >= 0 && out >= 0, "open %s and the copy", self);
    char buffer[65536];
    long got;
    while ((got = read(in, buffer, sizeof buffer)) > 0) CHECK(write(out, buffer, got) == got, "copy");
    close(in);
    close(out);
    CHECK(execl(path, path, "child", (char *)NULL) == -1 && errno == EACCES, "not executable yet");
    CHECK(chmod(path, 0755) == 0, "chmod 755");
    int a = run(path, "first"), b = run(path, "second");
    int status_a, status_b;
    waitpid(a, &status_a, 0);
    waitpid(b, &status_b, 0);
    CHECK(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 42 && WIFEXITED(status_b) &&
              WEXITSTATUS(status_b) == 42,
          "the written copy ran twice at once");
    /* a rewrite: truncated, then the program written back — the new bytes run */
    in = open(self, O_RDONLY);
    out = open(path, O_WRONLY | O_TRUNC);
    while ((got = read(in, buffer, sizeof buffer)) > 0) CHECK(write(out, buffer, got) == got, "rewrite");
    close(in);
    close(out);
    int c = run(path, "third"), status_c;
    waitpid(c, &status_c, 0);
    CHECK(WIFEXITED(status_c) && WEXITSTATUS(status_c) == 42, "the rewritten copy ran");
    out = open(path, O_WRONLY | O_TRUNC);
    CHECK(write(out, "\x7f" "ELF", 4) == 4, "a broken ELF");
    close(out);
    CHECK(execl(path, path, "child", (char *)NULL) == -1 && errno == ENOEXEC, "ENOEXEC");
    CHECK(unlink(path) == 0, "unlink the copy");
}

int main(int argc, char **argv) {
    if (argc > 1) {
        printf("tmpfs_exec_memfd: %s ran\n", argv[1]);
        return 42;
    }
    memfd();
    exec_written(argv[0]);
    printf("tmpfs_exec_memfd: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
