/* rootfs_walk PREFIX [readonly]: the file-system calls on a tree tests/system/test_rootfs.py
 * builds (etc/motd, data/big, dir/{a,b,sub/}, relative symlinks, a symlink loop), each answer
 * printed as one line so that the output on a host directory (PREFIX = its path, natively)
 * and on the kernel's root file system (PREFIX = "", tools/run-elf --root) can be compared
 * line for line. Nothing host-specific is printed: no inode numbers, no directory sizes;
 * getcwd is shown relative to PREFIX; directory listings are sorted.
 * With "readonly" it also prints what writing answers (EROFS on the kernel's read-only root;
 * natively the tree is writable, so the test checks those lines against fixed expectations). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *prefix;
static char buffer[8192];

static const char *at(const char *path) {
    static char full[4096];
    snprintf(full, sizeof full, "%s/%s", prefix, path);
    return full;
}

static const char *errno_name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EFAULT: return "EFAULT";
    case ENXIO: return "ENXIO";
    case EMFILE: return "EMFILE";
    default: return "other errno";
    }
}

static void result(const char *what, long value) {
    if (value < 0) printf("%s: %s\n", what, errno_name(errno));
    else printf("%s: %ld\n", what, value);
}

static void show_open(const char *what, const char *path, int flags) {
    int fd = open(at(path), flags, 0644);
    result(what, fd < 0 ? -1 : 0);
    if (fd >= 0) close(fd);
}

static void show_stat(const char *path, int follow) {
    struct stat st;
    int r = follow ? stat(at(path), &st) : lstat(at(path), &st);
    if (r < 0) { result(path, -1); return; }
    printf("%s %s: mode %o nlink %lu", follow ? "stat" : "lstat", path, st.st_mode,
           (unsigned long)st.st_nlink);
    if (!S_ISDIR(st.st_mode)) printf(" size %ld", (long)st.st_size);
    if (S_ISREG(st.st_mode)) printf(" blocks>0 %d", st.st_blocks > 0);
    printf("\n");
}

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
    int fd = open(at(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) { result(path, -1); return; }
    char *names[64];
    int count = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (n <= 0) { if (n < 0) result("getdents64", -1); break; }
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buffer + off);
            if (count < 64) {
                char *line = malloc(300);
                snprintf(line, 300, "%s(type %d)", d->d_name, d->d_type);
                names[count++] = line;
            }
            off += d->d_reclen;
        }
    }
    qsort(names, count, sizeof names[0], compare);
    printf("list %s:", path);
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");
    long tiny = syscall(SYS_getdents64, fd, buffer, 8);  /* too small for any record */
    result("getdents64 at end, 8-byte buffer", tiny);
    lseek(fd, 0, SEEK_SET);
    result("getdents64 after rewind, 8-byte buffer", syscall(SYS_getdents64, fd, buffer, 8));
    close(fd);
}

static void show_cwd(void) {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) { result("getcwd", -1); return; }
    size_t skip = strlen(prefix);
    const char *shown = cwd + (strncmp(cwd, prefix, skip) == 0 ? skip : 0);
    printf("getcwd: %s\n", *shown ? shown : "/");
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    prefix = argv[1];
    int readonly = argc > 2 && strcmp(argv[2], "readonly") == 0;

    int fd = open(at("etc/motd"), O_RDONLY);
    result("open etc/motd", fd < 0 ? -1 : 0);
    long n = read(fd, buffer, sizeof buffer);
    printf("read: %ld \"%.*s\"\n", n, (int)(n > 0 ? n - 1 : 0), buffer);
    result("read at end", read(fd, buffer, sizeof buffer));
    result("lseek SEEK_SET 2", lseek(fd, 2, SEEK_SET));
    n = read(fd, buffer, 3);
    printf("read 3 after seek: %ld \"%.*s\"\n", n, (int)n, buffer);
    result("lseek SEEK_CUR -1", lseek(fd, -1, SEEK_CUR));
    result("lseek SEEK_END 0", lseek(fd, 0, SEEK_END));
    result("lseek SEEK_END 10", lseek(fd, 10, SEEK_END));
    result("lseek negative", lseek(fd, -100, SEEK_SET));
    result("lseek bad whence", lseek(fd, 0, 7));
    n = pread(fd, buffer, 4, 1);
    printf("pread 4 at 1: %ld \"%.*s\"\n", n, (int)n, buffer);
    result("offset after pread", lseek(fd, 0, SEEK_CUR));
    result("write to read-only fd", write(fd, "x", 1));
    int copy = dup(fd);
    lseek(copy, 1, SEEK_SET);
    result("dup shares the offset", lseek(fd, 0, SEEK_CUR));
    close(copy);
    struct stat st;
    fstat(fd, &st);
    printf("fstat: mode %o size %ld\n", st.st_mode, (long)st.st_size);
    close(fd);

    fd = open(at("data/big"), O_RDONLY);
    unsigned long sum = 0, total = 0;
    while ((n = read(fd, buffer, 5000)) > 0)
        for (long i = 0; i < n; i++, total++) sum = sum * 31 + (unsigned char)buffer[i];
    printf("data/big: %lu bytes, sum %lx\n", total, sum);
    close(fd);

    show_stat("etc/motd", 1);
    show_stat("etc", 1);
    show_stat("dir", 1);
    show_stat("link_rel", 1);
    show_stat("link_rel", 0);
    show_stat("link_dir", 0);
    show_stat("bin/rootfs_walk", 1);
    fd = open(at("etc"), O_RDONLY | O_DIRECTORY);
    result("fstatat AT_EMPTY_PATH", fstatat(fd, "", &st, AT_EMPTY_PATH));
    printf("  mode %o\n", st.st_mode);
    result("fstatat relative motd", fstatat(fd, "motd", &st, 0));
    printf("  size %ld\n", (long)st.st_size);
    result("fstatat empty without flag", fstatat(fd, "", &st, 0));
    result("fstatat bad flag", fstatat(fd, "motd", &st, 0x4));
    result("openat relative", openat(fd, "motd", O_RDONLY) >= 0 ? 0 : -1);
    result("openat from a file fd", openat(0, "motd", O_RDONLY));
    close(fd);

    list("");
    list("dir");
    list("link_dir");

    n = readlink(at("link_rel"), buffer, sizeof buffer);
    printf("readlink link_rel: %ld \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buffer);
    n = readlink(at("link_rel"), buffer, 3);
    printf("readlink link_rel, 3 bytes: %ld \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buffer);
    result("readlink of a file", readlink(at("etc/motd"), buffer, sizeof buffer));
    result("readlink missing", readlink(at("missing"), buffer, sizeof buffer));
    result("readlinkat", readlinkat(AT_FDCWD, at("link_dir"), buffer, sizeof buffer));

    show_open("open missing", "missing", O_RDONLY);
    show_open("open missing/x", "missing/x", O_RDONLY);
    show_open("open etc/motd/x", "etc/motd/x", O_RDONLY);
    show_open("open etc/motd/", "etc/motd/", O_RDONLY);
    show_open("open loop", "loop", O_RDONLY);
    show_open("open loop/x", "loop/x", O_RDONLY);
    show_open("open dangling", "dangling", O_RDONLY);
    show_open("open link_rel O_NOFOLLOW", "link_rel", O_RDONLY | O_NOFOLLOW);
    show_open("open link_dir/ O_NOFOLLOW", "link_dir/", O_RDONLY | O_NOFOLLOW);
    show_open("open etc/motd O_DIRECTORY", "etc/motd", O_RDONLY | O_DIRECTORY);
    show_open("open etc O_WRONLY", "etc", O_WRONLY);
    show_open("open etc O_RDWR", "etc", O_RDWR);
    show_open("open etc/motd O_CREAT|O_EXCL", "etc/motd", O_RDONLY | O_CREAT | O_EXCL);
    show_open("open missing/new O_CREAT", "missing/new", O_WRONLY | O_CREAT);
    show_open("open dir/sub/../a", "dir/sub/../a", O_RDONLY);
    show_open("open link_dir/motd", "link_dir/motd", O_RDONLY);
    fd = open(at("etc"), O_RDONLY);
    result("read of a directory", read(fd, buffer, 10));
    close(fd);
    result("open empty path", open("", O_RDONLY));

    result("access etc/motd R_OK", access(at("etc/motd"), R_OK));
    result("access etc/motd X_OK", access(at("etc/motd"), X_OK));
    result("access bin/rootfs_walk X_OK", access(at("bin/rootfs_walk"), X_OK));
    result("access missing F_OK", access(at("missing"), F_OK));
    result("access bad mode", access(at("etc"), 8));
    result("faccessat dir X_OK", faccessat(AT_FDCWD, at("dir"), X_OK, 0));

    result("chdir dir/sub", chdir(at("dir/sub")));
    show_cwd();
    result("stat ../a", stat("../a", &st));
    result("chdir ..", chdir(".."));
    show_cwd();
    result("chdir a (a file)", chdir("a"));
    result("chdir missing", chdir("missing"));
    fd = open(at("etc"), O_RDONLY | O_DIRECTORY);
    result("fchdir etc", fchdir(fd));
    show_cwd();
    close(fd);
    fd = open(at("etc/motd"), O_RDONLY);
    result("fchdir of a file", fchdir(fd));
    close(fd);
    char small[2];
    result("getcwd small buffer", getcwd(small, sizeof small) ? 0 : -1);

    fd = open("/dev/null", O_RDWR);
    result("open /dev/null O_RDWR", fd < 0 ? -1 : 0);
    result("read /dev/null", read(fd, buffer, 10));
    result("write /dev/null", write(fd, "abc", 3));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buffer, 1, 100);
    n = read(fd, buffer, 100);
    int zeros = 1;
    for (int i = 0; i < 100; i++) zeros &= buffer[i] == 0;
    printf("read /dev/zero: %ld, zeros %d\n", n, zeros);
    close(fd);
    struct stat null_status;
    stat("/dev/null", &null_status);
    printf("stat /dev/null: mode %o rdev %u:%u\n", null_status.st_mode,
           (unsigned)(null_status.st_rdev >> 8) & 0xfff, (unsigned)null_status.st_rdev & 0xff);

    /* statx through the raw call (musl may have no wrapper): struct statx's basic fields. */
    unsigned char sx[256];
    memset(sx, 0, sizeof sx);
    long r = syscall(SYS_statx, AT_FDCWD, at("etc/motd"), 0, 0x7ff, sx);
    unsigned int mask, nlink;
    unsigned short sxmode;
    unsigned long long sxsize;
    memcpy(&mask, sx, 4);
    memcpy(&nlink, sx + 16, 4);
    memcpy(&sxmode, sx + 28, 2);
    memcpy(&sxsize, sx + 40, 8);
    printf("statx etc/motd: %ld mask&basic %x nlink %u mode %o size %llu\n", r, mask & 0x7ff,
           nlink, sxmode, sxsize);
    result("statx link_rel nofollow", syscall(SYS_statx, AT_FDCWD, at("link_rel"),
                                              AT_SYMLINK_NOFOLLOW, 0x7ff, sx));
    memcpy(&sxmode, sx + 28, 2);
    printf("  mode %o\n", sxmode);
    result("statx reserved mask", syscall(SYS_statx, AT_FDCWD, at("etc"), 0, 0x80000000u, sx));

    fd = open(at("dir"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    printf("F_GETFL dir: %o F_GETFD %d\n", fcntl(fd, F_GETFL), fcntl(fd, F_GETFD));
    close(fd);
    fd = open("/dev/null", O_WRONLY);
    printf("F_GETFL /dev/null O_WRONLY: %o\n", fcntl(fd, F_GETFL));
    close(fd);

    /* The descriptor limit: with RLIMIT_NOFILE 8, opens stop at descriptor 7 with EMFILE. */
    struct rlimit limit = {8, 8};
    setrlimit(RLIMIT_NOFILE, &limit);
    int last = -1;
    for (int i = 0; i < 20; i++) {
        int opened = open(at("etc/motd"), O_RDONLY);
        if (opened < 0) { result("open past RLIMIT_NOFILE", -1); break; }
        last = opened;
    }
    printf("last descriptor below the limit: %d\n", last);
    result("open of a missing file at the limit (EMFILE first)", open(at("missing"), O_RDONLY));
    for (int i = 3; i <= last; i++) close(i);

    if (readonly) {
        show_open("RO open etc/motd O_WRONLY", "etc/motd", O_WRONLY);
        show_open("RO open etc/motd O_RDWR", "etc/motd", O_RDWR);
        show_open("RO open etc/motd O_TRUNC", "etc/motd", O_RDONLY | O_TRUNC);
        show_open("RO open etc/new O_CREAT", "etc/new", O_WRONLY | O_CREAT);
        show_open("RO open etc/motd O_CREAT", "etc/motd", O_RDONLY | O_CREAT);
        result("RO access etc/motd W_OK", access(at("etc/motd"), W_OK));
        result("RO access /dev/null W_OK", access("/dev/null", W_OK));
    }
    return 0;
}
