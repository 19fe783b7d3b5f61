/*
 * PID 1 of the initramfs that tools/run-linux builds (static, musl).
 *
 * Boot contract with tools/run-linux:
 *   /run-linux-args   the path to execute, then its argv (argv[0] first), each terminated
 *                     by a NUL byte
 *   /run-linux-stdin  the program's standard input: fed to it through a pipe by a helper
 *                     child, so that it reads it like a shell pipeline's input (lseek is
 *                     ESPIPE, end of file after the last byte)
 *   /proc             present only when run-linux was asked to mount procfs there
 *   /dev/console      the serial console (the kernel opens it as fd 0, 1 and 2 before /init runs)
 *   /run-linux-swap   present only with RUN_ELF_SWAP: the virtio modules NN-NAME.ko, loaded in
 *                     name order (finit_module) and removed; then devtmpfs is mounted on
 *                     /run-linux-swap/dev and swapon(2) enables /run-linux-swap/dev/vda, the
 *                     disk run-linux attached (a failure is one line on the console)
 * The program file itself is wherever the path says (its absolute host path, or inside the
 * --root tree). /init and the two files are removed before the program starts, so the root
 * holds only the program's tree and /dev.
 *
 * Output on the console, in order:
 *   START_MARKER            written first thing, so the host can time "QEMU start -> first
 *                           user instruction"
 *   the program's output    bytes exactly as written (output post-processing is switched off)
 *   EXIT_MARKER status how  status = exit code, or 128 + signal number when killed
 * then the machine powers off (QEMU runs with -no-reboot and exits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define START_MARKER "\n@@RUN-LINUX-START@@\n"
#define EXIT_MARKER "@@RUN-LINUX-EXIT@@"

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

static void power_off(void) {
    tcdrain(1); /* let the UART send everything before the machine goes away */
    sync();
    reboot(RB_POWER_OFF);
    for (;;) pause();
}

/* Reads /run-linux-args: the path, then a NULL-terminated argv. */
static char **read_args(const char **path) {
    static char buf[2 * 1024 * 1024];
    static char *argv[64 * 1024];
    size_t len = 0;
    int fd = open("/run-linux-args", O_RDONLY);
    if (fd >= 0) {
        ssize_t r;
        while (len < sizeof buf && (r = read(fd, buf + len, sizeof buf - len)) > 0) len += (size_t)r;
        close(fd);
    }
    size_t argc = 0;
    for (size_t i = 0; i < len && argc + 1 < sizeof argv / sizeof argv[0];) {
        argv[argc++] = buf + i;
        while (i < len && buf[i] != '\0') i++;
        i++;
    }
    if (argc == 0) argv[argc++] = "/program";
    argv[argc] = NULL;
    *path = argv[0];
    return argc > 1 ? argv + 1 : argv;
}

#define SWAP_DIRECTORY "/run-linux-swap"
#define SWAP_DEVICES SWAP_DIRECTORY "/dev"
#define SWAP_DISK SWAP_DEVICES "/vda"

static int by_name(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void complain(const char *what, const char *name) {
    char line[768];
    snprintf(line, sizeof line, "run-linux-init: %s %s: %s\n", what, name, strerror(errno));
    put(line);
}

/* RUN_ELF_SWAP: load the virtio modules, find the disk, swapon it. */
static void enable_swap(void) {
    struct dirent **entries;
    int count = scandir(SWAP_DIRECTORY, &entries, NULL, by_name);
    if (count < 0) return;
    for (int i = 0; i < count; i++) {
        char path[512];
        if (strstr(entries[i]->d_name, ".ko") == NULL) continue;
        snprintf(path, sizeof path, SWAP_DIRECTORY "/%s", entries[i]->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) complain("loading", path);
        if (fd >= 0) close(fd);
        unlink(path);
    }
    mkdir(SWAP_DEVICES, 0755);
    if (mount("devtmpfs", SWAP_DEVICES, "devtmpfs", 0, NULL) != 0) complain("mounting", SWAP_DEVICES);
    /* The disk's node appears while virtio_blk's probe runs; allow a moment all the same. */
    for (int attempt = 0; attempt < 50; attempt++) {
        if (swapon(SWAP_DISK, 0) == 0) return;
        if (errno != ENOENT) break;
        usleep(20000);
    }
    complain("swapon", SWAP_DISK);
}

int main(int argc, char **argv, char **envp) {
    (void)argc;
    (void)argv;
    put(START_MARKER);

    /* Raw output: no "\n" -> "\r\n" translation, so the host sees the program's bytes. */
    struct termios t;
    if (tcgetattr(1, &t) == 0) {
        t.c_oflag &= ~(tcflag_t)OPOST;
        tcsetattr(1, TCSANOW, &t);
    }

    struct stat st;
    if (stat("/proc", &st) == 0 && S_ISDIR(st.st_mode)) mount("proc", "/proc", "proc", 0, NULL);
    if (stat(SWAP_DIRECTORY, &st) == 0 && S_ISDIR(st.st_mode)) enable_swap();

    const char *path;
    char **child_argv = read_args(&path);
    int input = open("/run-linux-stdin", O_RDONLY);
    unlink("/run-linux-args");
    unlink("/run-linux-stdin");
    unlink("/init");
    int pipe_ends[2] = {-1, -1};
    if (input >= 0 && pipe(pipe_ends) == 0) {
        if (fork() == 0) { /* the feeder: copies the file into the pipe, then ends */
            static char chunk[65536];
            ssize_t got;
            close(pipe_ends[0]);
            while ((got = read(input, chunk, sizeof chunk)) > 0)
                for (ssize_t done = 0; done < got;) {
                    ssize_t w = write(pipe_ends[1], chunk + done, (size_t)(got - done));
                    if (w <= 0) _exit(0); /* the program stopped reading */
                    done += w;
                }
            _exit(0);
        }
        close(pipe_ends[1]);
        close(input);
        input = pipe_ends[0];
    }
    pid_t pid = fork();
    if (pid < 0) {
        put("run-linux-init: fork failed\n");
        put(EXIT_MARKER " 125 init-error\n");
        power_off();
    }
    if (pid == 0) {
        if (input >= 0) dup2(input, 0);
        if (input > 0) close(input);
        execve(path, child_argv, envp);
        put("run-linux-init: execve of the program failed\n");
        _exit(127);
    }

    /* As PID 1 we also reap anything the program leaves behind; stop at the program itself. */
    int status = 0;
    for (;;) {
        pid_t w = waitpid(-1, &status, 0);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            put("run-linux-init: waitpid failed\n");
            status = 125 << 8;
            break;
        }
    }

    char line[96];
    if (WIFSIGNALED(status))
        snprintf(line, sizeof line, EXIT_MARKER " %d signal-%d\n", 128 + WTERMSIG(status),
                 WTERMSIG(status));
    else
        snprintf(line, sizeof line, EXIT_MARKER " %d exit\n", WEXITSTATUS(status));
    put(line);
    power_off();
    return 0;
}
