/* tmpfs_calls [DIR]: the calls of a writable file system (issue 11 §1) in a fresh directory
 * under DIR (default /tmp), each checked against Linux's answer: open's O_CREAT/O_EXCL/O_TRUNC/
 * O_APPEND/O_DIRECTORY/O_NOFOLLOW, read/write/pread/pwrite/readv/writev/preadv/pwritev,
 * ftruncate/truncate, mkdir/rmdir/unlink(at), rename(at2) with RENAME_NOREPLACE/EXCHANGE,
 * link/symlink/readlink, stat's nlink/size/blocks/times, chmod, utimensat, fcntl, dup3,
 * fsync, an unlinked file living while open, getdents64 while the directory changes, and the
 * devices /dev/null, /dev/zero, /dev/full, /dev/urandom. One "FAIL: ..." line per failed
 * check; the last line counts the checks. Exit status 0 when all passed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char base[256];

/* The call failed with `expected`. */
#define ERR(call, expected) CHECK((call) == -1 && errno == (expected), "%s", #call " != " #expected)
#define OK(call) CHECK((call) == 0, "%s", #call " failed")

static const char *at(const char *name) {
    static char paths[4][512];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, 512, "%s/%s", base, name);
    return path;
}

static off_t size_of(const char *name) {
    struct stat st;
    return stat(at(name), &st) == 0 ? st.st_size : -1;
}

static void files(void) {
    int fd = open(at("f"), O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0, "create f");
    ERR(open(at("f"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
    ERR(open(at("missing/f"), O_RDWR | O_CREAT, 0644), ENOENT);
    ERR(open(at("f/x"), O_RDONLY), ENOTDIR);
    ERR(open(at("f"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK(write(fd, "hello", 5) == 5, "write hello");
    struct stat st;
    OK(fstat(fd, &st));
    CHECK(st.st_size == 5 && st.st_nlink == 1 && st.st_blocks == 8, "stat after write: size %ld nlink %ld blocks %ld",
          (long)st.st_size, (long)st.st_nlink, (long)st.st_blocks);
    CHECK((st.st_mode & 07777) == 0644 && S_ISREG(st.st_mode), "mode %o", st.st_mode);
    char buffer[16384];
    CHECK(pread(fd, buffer, sizeof buffer, 0) == 5 && memcmp(buffer, "hello", 5) == 0, "pread");
    CHECK(read(fd, buffer, 10) == 0, "read at end");
    CHECK(lseek(fd, 0, SEEK_END) == 5, "SEEK_END");
    CHECK(lseek(fd, 1, SEEK_SET) == 1 && read(fd, buffer, 2) == 2 && memcmp(buffer, "el", 2) == 0,
          "read at 1");
    /* ftruncate: shrink, then grow (zeros), a hole in between */
    OK(ftruncate(fd, 2));
    CHECK(size_of("f") == 2, "size after shrink");
    OK(ftruncate(fd, 10000));
    memset(buffer, 'x', sizeof buffer);
    CHECK(pread(fd, buffer, sizeof buffer, 0) == 10000, "pread 10000");
    int zeros = 1;
    for (int i = 2; i < 10000; i++) zeros &= buffer[i] == 0;
    CHECK(memcmp(buffer, "he", 2) == 0 && zeros, "grown file reads as zeros");
    OK(fstat(fd, &st));
    CHECK(st.st_size == 10000 && st.st_blocks == 8, "sparse: size %ld blocks %ld", (long)st.st_size,
          (long)st.st_blocks);
    CHECK(pwrite(fd, "z", 1, 8192) == 1, "pwrite in the hole");
    OK(fstat(fd, &st));
    CHECK(st.st_size == 10000 && st.st_blocks == 16, "after pwrite: blocks %ld", (long)st.st_blocks);
    ERR(ftruncate(fd, -1), EINVAL);
    ERR(pwrite(fd, "z", 1, -1), EINVAL);
    OK(truncate(at("f"), 3));
    CHECK(size_of("f") == 3, "truncate");
    ERR(truncate(base, 0), EISDIR);
    OK(fsync(fd));
    OK(fdatasync(fd));
    close(fd);
    /* O_RDONLY descriptors cannot write or be truncated */
    fd = open(at("f"), O_RDONLY);
    ERR(write(fd, "x", 1), EBADF);
    ERR(ftruncate(fd, 0), EINVAL);
    close(fd);
    /* O_TRUNC, O_APPEND */
    fd = open(at("f"), O_WRONLY | O_TRUNC | O_APPEND);
    CHECK(size_of("f") == 0, "O_TRUNC empties");
    CHECK(write(fd, "ab", 2) == 2 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "cd", 2) == 2,
          "append writes");
    CHECK(size_of("f") == 4, "O_APPEND wrote at the end: %ld", (long)size_of("f"));
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0, "F_GETFL shows O_APPEND");
    OK(fcntl(fd, F_SETFL, 0));
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) == 0, "F_SETFL cleared O_APPEND");
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "AB", 2) == 2, "write at 0");
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    OK(fcntl(fd, F_SETLK, &lock));
    lock.l_type = F_RDLCK;
    CHECK(fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type == F_UNLCK, "F_GETLK: no other holder");
    ERR(dup3(fd, fd, 0), EINVAL);
    CHECK(dup3(fd, 100, O_CLOEXEC) == 100 && fcntl(100, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
    close(100);
    close(fd);
    fd = open(at("f"), O_RDONLY);
    CHECK(read(fd, buffer, 10) == 4 && memcmp(buffer, "ABcd", 4) == 0, "contents ABcd");
    close(fd);
    /* vectors */
    fd = open(at("v"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct iovec out[2] = {{"one", 3}, {"two", 3}};
    CHECK(writev(fd, out, 2) == 6, "writev");
    CHECK(pwritev(fd, out, 2, 6) == 6, "pwritev");
    char a[4] = {0}, b[9] = {0};
    struct iovec in[2] = {{a, 3}, {b, 9}};
    CHECK(preadv(fd, in, 2, 0) == 12 && strcmp(a, "one") == 0 && memcmp(b, "twoonetwo", 9) == 0,
          "preadv");
    lseek(fd, 3, SEEK_SET);
    memset(a, 0, 4);
    memset(b, 0, 9);
    CHECK(readv(fd, in, 2) == 9 && strcmp(a, "two") == 0 && memcmp(b, "onetwo", 6) == 0, "readv");
    close(fd);
    OK(unlink(at("v")));
    /* a big name */
    char name[300];
    memset(name, 'n', 256);
    name[256] = 0;
    ERR(open(at(name), O_RDWR | O_CREAT, 0600), ENAMETOOLONG);
    ERR(mkdir(at(name), 0700), ENAMETOOLONG);
    /* umask */
    CHECK(umask(027) == 022, "umask's old value");
    fd = open(at("masked"), O_WRONLY | O_CREAT | O_EXCL, 0666);
    OK(fstat(fd, &st));
    CHECK((st.st_mode & 0777) == 0640, "umask 027 applied: %o", st.st_mode & 0777);
    close(fd);
    OK(mkdir(at("maskdir"), 0777));
    OK(stat(at("maskdir"), &st));
    CHECK((st.st_mode & 0777) == 0750, "umask on mkdir: %o", st.st_mode & 0777);
    CHECK(umask(01777) == 027, "umask again");
    CHECK(umask(022) == 0777, "umask keeps only 0777");
    OK(unlink(at("masked")));
    OK(rmdir(at("maskdir")));
}

static void directories(void) {
    struct stat st;
    OK(stat(base, &st));
    nlink_t links = st.st_nlink;
    OK(mkdir(at("d"), 0755));
    ERR(mkdir(at("d"), 0755), EEXIST);
    ERR(mkdir(at("f"), 0755), EEXIST);
    OK(stat(base, &st));
    CHECK(st.st_nlink == links + 1, "parent nlink +1: %ld", (long)st.st_nlink);
    OK(stat(at("d"), &st));
    CHECK(S_ISDIR(st.st_mode) && st.st_nlink == 2 && (st.st_mode & 07777) == 0755, "new dir");
    int fd = open(at("d/inner"), O_WRONLY | O_CREAT, 0600);
    close(fd);
    ERR(rmdir(at("d")), ENOTEMPTY);
    ERR(unlink(at("d")), EISDIR);
    ERR(rmdir(at("f")), ENOTDIR);
    ERR(rmdir(at("d/.")), EINVAL);
    ERR(unlink(at("f/")), ENOTDIR);
    ERR(open(at("d"), O_WRONLY), EISDIR);
    ERR(unlinkat(AT_FDCWD, at("d"), 0x1), EINVAL);
    OK(unlinkat(AT_FDCWD, at("d/inner"), 0));
    OK(unlinkat(AT_FDCWD, at("d"), AT_REMOVEDIR));
    ERR(stat(at("d"), &st), ENOENT);
    OK(stat(base, &st));
    CHECK(st.st_nlink == links, "parent nlink back");
    /* mkdirat / openat relative to a directory descriptor */
    int dir = open(base, O_RDONLY | O_DIRECTORY);
    OK(mkdirat(dir, "sub", 0700));
    fd = openat(dir, "sub/file", O_WRONLY | O_CREAT | O_EXCL, 0640);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1, "openat in sub");
    close(fd);
    OK(fstatat(dir, "sub/file", &st, 0));
    CHECK(st.st_size == 1 && (st.st_mode & 0777) == 0640, "fstatat");
    OK(unlinkat(dir, "sub/file", 0));
    OK(unlinkat(dir, "sub", AT_REMOVEDIR));
    close(dir);
}

static void links(void) {
    struct stat st;
    OK(link(at("f"), at("f2")));
    OK(stat(at("f"), &st));
    CHECK(st.st_nlink == 2, "nlink 2 after link");
    ERR(link(at("f"), at("f2")), EEXIST);
    OK(mkdir(at("d"), 0755));
    ERR(link(at("d"), at("d2")), EPERM);
    ERR(link(at("missing"), at("m2")), ENOENT);
    OK(unlink(at("f2")));
    OK(stat(at("f"), &st));
    CHECK(st.st_nlink == 1, "nlink 1 after unlink");
    OK(symlink("f", at("s")));
    ERR(symlink("f", at("s")), EEXIST);
    char target[64] = {0};
    CHECK(readlink(at("s"), target, sizeof target) == 1 && target[0] == 'f', "readlink");
    OK(lstat(at("s"), &st));
    CHECK(S_ISLNK(st.st_mode) && st.st_size == 1, "lstat of a symlink");
    OK(stat(at("s"), &st));
    CHECK(S_ISREG(st.st_mode) && st.st_size == 4, "stat follows");
    ERR(open(at("s"), O_RDONLY | O_NOFOLLOW), ELOOP);
    ERR(open(at("s"), O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
    int fd = open(at("s"), O_RDONLY);
    char buffer[8] = {0};
    CHECK(fd >= 0 && read(fd, buffer, 8) == 4 && memcmp(buffer, "ABcd", 4) == 0, "read through s");
    close(fd);
    OK(symlink("nowhere", at("dangling")));
    ERR(stat(at("dangling"), &st), ENOENT);
    OK(unlink(at("dangling")));
    OK(unlink(at("s")));
    OK(rmdir(at("d")));
}

static void renames(void) {
    struct stat st;
    int fd = open(at("r1"), O_WRONLY | O_CREAT, 0600);
    CHECK(write(fd, "one", 3) == 3, "r1");
    close(fd);
    fd = open(at("r2"), O_WRONLY | O_CREAT, 0600);
    CHECK(write(fd, "second", 6) == 6, "r2");
    close(fd);
    ERR(syscall(SYS_renameat2, AT_FDCWD, at("r1"), AT_FDCWD, at("r2"), 1), EEXIST);
    OK(syscall(SYS_renameat2, AT_FDCWD, at("r1"), AT_FDCWD, at("r2"), 2));
    CHECK(size_of("r1") == 6 && size_of("r2") == 3, "RENAME_EXCHANGE swapped");
    ERR(syscall(SYS_renameat2, AT_FDCWD, at("r1"), AT_FDCWD, at("none"), 2), ENOENT);
    ERR(syscall(SYS_renameat2, AT_FDCWD, at("r1"), AT_FDCWD, at("r2"), 3), EINVAL);
    OK(rename(at("r1"), at("r2")));
    CHECK(size_of("r2") == 6 && size_of("r1") == -1, "rename over a file");
    OK(rename(at("r2"), at("r2")));
    OK(mkdir(at("a"), 0755));
    OK(mkdir(at("a/b"), 0755));
    OK(mkdir(at("c"), 0755));
    ERR(rename(at("a"), at("a/b/x")), EINVAL);
    ERR(rename(at("r2"), at("c")), EISDIR);
    ERR(rename(at("c"), at("r2")), ENOTDIR);
    ERR(rename(at("c"), at("a")), ENOTEMPTY);
    ERR(rename(at("missing"), at("x")), ENOENT);
    OK(rename(at("a/b"), at("c")));  /* a directory over an empty directory */
    OK(stat(at("a"), &st));
    CHECK(st.st_nlink == 2, "a lost its subdirectory: %ld", (long)st.st_nlink);
    OK(rename(at("r2"), at("c/moved")));
    CHECK(size_of("c/moved") == 6, "moved into c");
    OK(rename(at("c"), at("a/c")));
    CHECK(size_of("a/c/moved") == 6, "directory moved with its entries");
    OK(unlink(at("a/c/moved")));
    OK(rmdir(at("a/c")));
    OK(rmdir(at("a")));
}

static void lifetime(void) {
    int fd = open(at("gone"), O_RDWR | O_CREAT, 0600);
    OK(unlink(at("gone")));
    CHECK(write(fd, "still here", 10) == 10, "write to an unlinked file");
    char buffer[16] = {0};
    CHECK(pread(fd, buffer, 16, 0) == 10 && strcmp(buffer, "still here") == 0, "read it back");
    struct stat st;
    OK(fstat(fd, &st));
    CHECK(st.st_nlink == 0 && st.st_size == 10, "fstat of unlinked: nlink %ld", (long)st.st_nlink);
    int copy = dup(fd);
    close(fd);
    CHECK(pread(copy, buffer, 5, 6) == 4 && memcmp(buffer, "here", 4) == 0, "alive via dup");
    close(copy);
}

static void times_and_modes(void) {
    struct stat st;
    OK(chmod(at("f"), 0600));
    OK(stat(at("f"), &st));
    CHECK((st.st_mode & 07777) == 0600, "chmod kept: %o", st.st_mode & 07777);
    int fd = open(at("f"), O_RDONLY);
    OK(fchmod(fd, 04711));
    OK(fstat(fd, &st));
    CHECK((st.st_mode & 07777) == 04711, "fchmod kept: %o", st.st_mode & 07777);
    close(fd);
    OK(fchmodat(AT_FDCWD, at("f"), 0644, 0));
    struct timespec times[2] = {{1000000000, 5}, {1234567890, 999999999}};
    OK(utimensat(AT_FDCWD, at("f"), times, 0));
    OK(stat(at("f"), &st));
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 5 &&
              st.st_mtim.tv_sec == 1234567890 && st.st_mtim.tv_nsec == 999999999,
          "utimensat times: %ld %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {7, 0}};
    OK(utimensat(AT_FDCWD, at("f"), omit, 0));
    OK(stat(at("f"), &st));
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 7, "UTIME_OMIT");
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    ERR(utimensat(AT_FDCWD, at("f"), bad, 0), EINVAL);
    time_t before = time(NULL);
    fd = open(at("f"), O_WRONLY);
    CHECK(write(fd, "w", 1) == 1, "write");
    close(fd);
    OK(stat(at("f"), &st));
    CHECK(st.st_mtim.tv_sec >= before - 1 && st.st_ctim.tv_sec >= before - 1, "write sets mtime");
}

/* getdents64 while the directory changes: every entry present throughout is seen once. */
static void changing_directory(void) {
    enum { count = 120 };
    OK(mkdir(at("many"), 0755));
    char path[512];
    for (int i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/entry%03d", at("many"), i);
        close(open(path, O_WRONLY | O_CREAT, 0600));
    }
    int seen[count] = {0};
    int dir = open(at("many"), O_RDONLY | O_DIRECTORY);
    char buffer[512];
    long got;
    int others = 0;
    while ((got = syscall(SYS_getdents64, dir, buffer, sizeof buffer)) > 0) {
        for (long offset = 0; offset < got;) {
            struct { unsigned long long ino; long long off; unsigned short reclen; unsigned char type; char name[]; } *d =
                (void *)(buffer + offset);
            int index;
            if (sscanf(d->name, "entry%d", &index) == 1 && index >= 0 && index < count) {
                seen[index]++;
                OK(unlinkat(dir, d->name, 0));
            } else if (strcmp(d->name, ".") && strcmp(d->name, "..")) {
                others++;
            }
            offset += d->reclen;
        }
        snprintf(path, sizeof path, "%s/new%ld", at("many"), got);
        close(open(path, O_WRONLY | O_CREAT, 0600)); /* added while reading */
    }
    CHECK(got == 0, "getdents64 ended with 0");
    int once = 1;
    for (int i = 0; i < count; i++) once &= seen[i] == 1;
    CHECK(once, "every entry seen exactly once");
    lseek(dir, 0, SEEK_SET);
    ERR(syscall(SYS_getdents64, dir, buffer, 10), EINVAL); /* not even "." fits */
    CHECK(syscall(SYS_getdents64, dir, buffer, sizeof buffer) > 0, "rewound");
    close(dir);
    DIR *listing = opendir(at("many"));
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", at("many"), entry->d_name);
        OK(unlink(path));
    }
    closedir(listing);
    OK(rmdir(at("many")));
}

static void devices(void) {
    char buffer[64];
    int fd = open("/dev/full", O_RDWR);
    CHECK(fd >= 0, "open /dev/full");
    ERR(write(fd, "x", 1), ENOSPC);
    memset(buffer, 1, sizeof buffer);
    CHECK(read(fd, buffer, 64) == 64 && buffer[0] == 0 && buffer[63] == 0, "/dev/full reads zeros");
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    memset(buffer, 0, sizeof buffer);
    CHECK(read(fd, buffer, 64) == 64, "/dev/urandom");
    int nonzero = 0;
    for (int i = 0; i < 64; i++) nonzero += buffer[i] != 0;
    CHECK(nonzero > 32, "random bytes");
    close(fd);
    fd = open("/dev/null", O_RDWR);
    CHECK(write(fd, "x", 1) == 1 && read(fd, buffer, 1) == 0, "/dev/null");
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    CHECK(read(fd, buffer, 8) == 8 && buffer[0] == 0, "/dev/zero");
    close(fd);
    int pipes[2];
    OK(pipe(pipes));
    ERR(fsync(pipes[0]), EINVAL);
    ERR(ftruncate(pipes[1], 0), EINVAL);
    ERR(pwrite(pipes[1], "x", 1, 0), ESPIPE);
    close(pipes[0]);
    close(pipes[1]);
}

int main(int argc, char **argv) {
    umask(022); /* Linux's default: the checks' modes assume it */
    snprintf(base, sizeof base, "%s/tmpfs_calls.%d", argc > 1 ? argv[1] : "/tmp", (int)getpid());
    if (mkdir(base, 0755) != 0) {
        printf("FAIL: mkdir %s (errno %d)\n", base, errno);
        return 1;
    }
    files();
    directories();
    links();
    renames();
    lifetime();
    times_and_modes();
    changing_directory();
    devices();
    OK(unlink(at("f")));
    OK(rmdir(base));
    printf("tmpfs_calls: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
