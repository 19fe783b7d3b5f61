/* exec_self — execve of the program itself (argv[0]: run-elf puts the program at its absolute
 * host path in the root), in three stages (issue 9 §4):
 *   1. sets up state, checks execve's errors (each leaves the process intact: the checks go
 *      on), then execs itself with exact argv (spaces, an empty string, commas) and envp;
 *   2. the new image checks what survives and what does not: same pid; argv and envp byte for
 *      byte; a pipe descriptor without O_CLOEXEC open with its bytes, one with O_CLOEXEC
 *      closed; SIGUSR1's handler back to SIG_DFL, SIGUSR2's SIG_IGN kept, the mask and a
 *      pending blocked SIGTERM kept; the old image's memory gone (MAP_FIXED_NOREPLACE at its
 *      address succeeds and reads zero); the FS base 0 (raw build; musl sets its own) and the
 *      GS base 0 (both builds: no libc uses GS). Then it
 *      execs itself with argv NULL;
 *   3. argc 1 with argv[0] "" (Linux 6.1 gives an empty argv one empty string).
 * Errors checked: ENOENT (missing, empty path), ENOTDIR, EACCES (directory, device, a pipe
 * through execveat AT_EMPTY_PATH), EFAULT (path, argv array, an argv string, envp), E2BIG (one
 * string of MAX_ARG_STRLEN with no NUL inside it; strings above a quarter of the 8 MiB stack),
 * EINVAL (execveat flags), ENOEXEC is tests/system/test_exec.py's (it needs a --root tree).
 * Status 0. */
#include "rt.h"
#include "signals.h"

enum { NR_close = 3, NR_fcntl = 72, NR_pipe2 = 293, NR_execve = 59, NR_execveat = 322 };
#define ENOTDIR 20
#define EACCES 13
#define E2BIG 7
#define O_CLOEXEC 02000000
#define F_GETFD 1
#define AT_FDCWD -100
#define AT_EMPTY_PATH 0x1000
#define MAX_ARG_STRLEN (32 * 4096)
#define OLD_IMAGE_PAGE 0x200000000UL

static void does_nothing(int sig) { (void)sig; }
void signal_restorer(void);
__asm__(".text\n"
        ".type signal_restorer,@function\n"
        "signal_restorer:\n"
        "    movl $15, %eax\n"
        "    syscall\n"
        "    hlt\n");

static long sys_execve(const char *path, char *const *argv, char *const *envp)
{
    return sys3(NR_execve, path, argv, envp);
}

static void put_number(char *out, unsigned long v)
{
    char t[24];
    int i = 0;
    do t[i++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    while (i) *out++ = t[--i];
    *out = 0;
}

static const char *find_env(char **envp, const char *name)
{
    size_t n = rt_strlen(name);
    for (; *envp; envp++) {
        size_t i = 0;
        while (i < n && (*envp)[i] == name[i]) i++;
        if (i == n && (*envp)[n] == '=') return *envp + n + 1;
    }
    return 0;
}

static void errors(const char *self)
{
    char *argv[] = { (char *)self, 0 };
    char *envp[] = { 0 };
    expect(sys_execve("/nonexistent/program", argv, envp), -ENOENT, "missing file: ENOENT");
    expect(sys_execve("", argv, envp), -ENOENT, "empty path: ENOENT");
    expect(sys_execve("/", argv, envp), -EACCES, "a directory: EACCES");
    expect(sys_execve("/dev/null", argv, envp), -EACCES, "a device: EACCES");
    char below[4096];
    size_t n = rt_strlen(self);
    rt_memcpy(below, self, n);
    rt_memcpy(below + n, "/x", 3);
    expect(sys_execve(below, argv, envp), -ENOTDIR, "a file as a directory: ENOTDIR");
    expect(sys_execve((const char *)8, argv, envp), -EFAULT, "bad path: EFAULT");
    expect(sys_execve(self, (char *const *)8, envp), -EFAULT, "bad argv array: EFAULT");
    char *bad_string[] = { (char *)self, (char *)8, 0 };
    expect(sys_execve(self, bad_string, envp), -EFAULT, "bad argv string: EFAULT");
    expect(sys_execve(self, argv, (char *const *)8), -EFAULT, "bad envp array: EFAULT");
    expect(sys6(NR_execveat, AT_FDCWD, (long)self, (long)argv, (long)envp, 0x4, 0), -EINVAL,
           "execveat with an unknown flag: EINVAL");
    expect(sys6(NR_execveat, AT_FDCWD, (long)"", (long)argv, (long)envp, AT_EMPTY_PATH, 0),
           -EACCES, "execveat AT_EMPTY_PATH of the working directory: EACCES");
    int fds[2];
    expect(sys2(NR_pipe2, fds, 0), 0, "pipe2");
    expect(sys6(NR_execveat, fds[0], (long)"", (long)argv, (long)envp, AT_EMPTY_PATH, 0),
           -EACCES, "execveat AT_EMPTY_PATH of a pipe: EACCES");
    sys1(NR_close, fds[0]);
    sys1(NR_close, fds[1]);

    /* MAX_ARG_STRLEN bytes with no NUL among them: E2BIG; one byte less fits. */
    long big = map_anon(18 * MAX_ARG_STRLEN, RW);
    if (!expect_ok(big, "mmap for long strings")) return;
    char *strings = (char *)big;
    rt_memset(strings, 'a', 18 * MAX_ARG_STRLEN);
    strings[MAX_ARG_STRLEN] = 0;
    char *too_long[] = { (char *)self, strings, 0 };
    expect(sys_execve(self, too_long, envp), -E2BIG, "a string of MAX_ARG_STRLEN + NUL: E2BIG");
    char *long_env[] = { strings, 0 };
    expect(sys_execve(self, argv, long_env), -E2BIG, "an envp string too long: E2BIG");
    /* 16 strings of MAX_ARG_STRLEN - 1 (+ NUL each) are 2 MiB: with the path, over a quarter
     * of the 8 MiB stack limit. */
    char *many[20];
    many[0] = (char *)self;
    for (int i = 1; i <= 16; i++) {
        many[i] = strings + (unsigned long)i * MAX_ARG_STRLEN + 1;
        strings[(unsigned long)(i + 1) * MAX_ARG_STRLEN] = 0;
    }
    many[17] = 0;
    expect(sys_execve(self, many, envp), -E2BIG, "2 MiB of strings: E2BIG");
    sys_munmap(big, 18 * MAX_ARG_STRLEN);
    say("exec_self: ENOENT, ENOTDIR, EACCES, EFAULT, E2BIG, EINVAL; the process carries on");
}

static int stage_one(char **argv)
{
    const char *self = argv[0];
    errors(self);
    int keep[2], lose[2];
    expect(sys2(NR_pipe2, keep, 0), 0, "pipe2 (kept)");
    expect(sys2(NR_pipe2, lose, O_CLOEXEC), 0, "pipe2 (O_CLOEXEC)");
    expect(sys_write(keep[1], "carried", 7), 7, "bytes into the kept pipe");
    struct k_sigaction act = {
        .handler = (unsigned long)does_nothing, .flags = SA_RESTORER,
        .restorer = (unsigned long)signal_restorer, .mask = SIGBIT(SIGUSR2),
    };
    expect(sys_sigaction(SIGUSR1, &act, 0), 0, "SIGUSR1 handler");
    expect(set_disposition(SIGUSR2, SIG_IGN), 0, "SIGUSR2 ignored");
    unsigned long mask = SIGBIT(SIGTERM);
    expect(sys_sigprocmask(SIG_BLOCK, &mask, 0), 0, "block SIGTERM");
    expect(sys_kill(sys_getpid(), SIGTERM), 0, "a pending SIGTERM");
    long page = sys6(NR_mmap, OLD_IMAGE_PAGE, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    expect(page, (long)OLD_IMAGE_PAGE, "a page of the old image");
    *(volatile char *)OLD_IMAGE_PAGE = 'o';
#ifdef RT_RAW
    expect(sys2(NR_arch_prctl, ARCH_SET_FS, 0x12345000L), 0, "an FS base");
#endif
    expect(sys2(NR_arch_prctl, ARCH_SET_GS, 0x23456000L), 0, "a GS base (no libc uses it)");
    if (rt_failures) return finish("exec_self");
    char pid[24], kept[24], lost[24];
    put_number(pid, (unsigned long)sys_getpid());
    put_number(kept, (unsigned long)keep[0]);
    put_number(lost, (unsigned long)lose[0]);
    char *next[] = { (char *)self, "stage2", "a b", "", "x,y", pid, kept, lost, 0 };
    char self_env[4200] = "SELF=";
    rt_memcpy(self_env + 5, self, rt_strlen(self) + 1);
    char *env[] = { "ONE=1", "EMPTY=", "SPACE=a b", self_env, 0 };
    say("exec_self: stage 1 passed %d checks, exec'ing itself", rt_checks);
    long r = sys_execve(self, next, env);
    say("FAIL: execve returned %E", r);
    return 1;
}

static int stage_two(int argc, char **argv)
{
    char **envp = argv + argc + 1;
    expect(argc, 8, "argc");
    if (argc != 8) return finish("exec_self");
    check(rt_streq(argv[2], "a b") && rt_streq(argv[3], "") && rt_streq(argv[4], "x,y"),
          "argv byte for byte");
    check(envp[0] && rt_streq(envp[0], "ONE=1") && envp[1] && rt_streq(envp[1], "EMPTY=")
              && envp[2] && rt_streq(envp[2], "SPACE=a b") && envp[3] && !envp[4],
          "envp exactly as given");
    expect(sys_getpid(), (long)rt_parse(argv[5], 0), "the same pid");
    long kept = (long)rt_parse(argv[6], 0), lost = (long)rt_parse(argv[7], 0);
    char carried[16] = { 0 };
    expect(sys_read(kept, carried, sizeof carried), 7, "the kept pipe's bytes");
    check(rt_streq(carried, "carried"), "the bytes written before exec");
    expect(sys3(NR_fcntl, lost, F_GETFD, 0), -EBADF, "the O_CLOEXEC pipe is closed");
    struct k_sigaction now;
    expect(sys_sigaction(SIGUSR1, 0, &now), 0, "read SIGUSR1");
    check(now.handler == SIG_DFL && now.flags == 0 && now.mask == 0, "handler reset to SIG_DFL");
    expect(sys_sigaction(SIGUSR2, 0, &now), 0, "read SIGUSR2");
    check(now.handler == SIG_IGN, "SIG_IGN kept");
    unsigned long mask = 0;
    expect(sys_sigprocmask(SIG_BLOCK, 0, &mask), 0, "read the mask");
    check(mask == SIGBIT(SIGTERM), "the mask kept");
    check(pending_signals() == SIGBIT(SIGTERM), "the pending SIGTERM kept");
    expect(set_disposition(SIGTERM, SIG_IGN), 0, "discard the pending SIGTERM");
    long page = sys6(NR_mmap, OLD_IMAGE_PAGE, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    expect(page, (long)OLD_IMAGE_PAGE, "the old image's page is gone");
    check(page != (long)OLD_IMAGE_PAGE || *(volatile char *)OLD_IMAGE_PAGE == 0, "a fresh page reads zero");
#ifdef RT_RAW
    unsigned long fs = 1;
    expect(sys2(NR_arch_prctl, ARCH_GET_FS, &fs), 0, "ARCH_GET_FS");
    check(fs == 0, "FS base 0 after exec");
#endif
    unsigned long gs = 1;
    expect(sys2(NR_arch_prctl, ARCH_GET_GS, &gs), 0, "ARCH_GET_GS");
    check(gs == 0, "GS base 0 after exec");
    if (rt_failures) return finish("exec_self");
    say("exec_self: stage 2 passed %d checks, exec'ing itself with argv NULL", rt_checks);
    const char *self = find_env(envp, "SELF");
    char *env[] = { "STAGE=3", 0 };
    long r = sys_execve(self, 0, env);
    say("FAIL: execve returned %E", r);
    return 1;
}

int main(int argc, char **argv)
{
    char **envp = argv + argc + 1;
    const char *stage = find_env(envp, "STAGE");
    if (stage && rt_streq(stage, "3")) {
        expect(argc, 1, "argv NULL: argc 1");
        check(argc >= 1 && argv[0][0] == 0, "argv NULL: argv[0] is \"\"");
        check(!argv[argc], "argv ends with NULL");
        return finish("exec_self");
    }
    if (argc > 1 && rt_streq(argv[1], "stage2")) return stage_two(argc, argv);
    return stage_one(argv);
}
