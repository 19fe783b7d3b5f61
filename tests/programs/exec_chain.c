/* exec_chain — execve (issue 9 §4, §5, §6). Relies on the run-elf contract: argv[0] is the
 * program's absolute path and the program is there.
 *   - a chain of 50 execve of argv[0] in one pid, a counter in argv, the environment carried
 *     along; close-on-exec descriptors are closed by the first exec, the others stay; the last
 *     image exits 50, which the parent reads through wait4 (the exit status crosses exec);
 *   - vfork + execve: the parent sleeps until the child has exec'd (the child's store before
 *     exec is seen by the parent: shared memory), and resumes while the new image still runs;
 *     vfork + _exit;
 *   - an exec'd image's exit code and its death by SIGSEGV reach the parent;
 *   - errors, the caller's image intact: ENOENT, ENOTDIR, EACCES (a directory, /dev/null),
 *     EFAULT (a bad argv), E2BIG (one string of MAX_ARG_STRLEN bytes, and 4 MB of strings),
 *     while a string one byte shorter passes intact;
 *   - `rooted PREFIX` (tests/userspace/test_exec_chain_root.py builds the tree): ENOEXEC for an
 *     executable file that is not ELF, EACCES for an ELF without execute permission, and a `#!`
 *     script: its interpreter gets [interpreter, its argument, the script's path, the args].
 * Status 0. The other argv[1] words are the modes the chain's images run in. */
#include "rt.h"
#include "proc.h"

#define CHAIN_LENGTH 50
#define VFORK_CHILD_MS 300
#define MAX_ARG_STRLEN (32 * PAGE) /* one string, its NUL included (include/uapi/linux/binfmts.h) */
#define BIG_STRINGS 40
#define BIG_STRING_LEN 100000UL   /* 40 of them: 4 MB, past a quarter of an 8 MiB stack */
#define ENV_MARK "EXEC_CHAIN_MARK=carried"
#define E2BIG_MODE "e2big-must-not-run"
#define ENOTDIR 20

static char *self;
static char **environment;

static void put_dec(char *out, long v)
{
    char t[24];
    int n = 0;
    do t[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    while (n) *out++ = t[--n];
    *out = 0;
}

static int has_mark(char **envp)
{
    for (; *envp; envp++)
        if (rt_streq(*envp, ENV_MARK)) return 1;
    return 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = rt_strlen(s), b = rt_strlen(tail);
    return a >= b && rt_streq(s + a - b, tail);
}

/* ---- the images the tests exec ---- */

/* argv: self chain N PID CLOEXEC_FD PLAIN_FD */
static int chain_step(int argc, char **argv)
{
    if (argc != 6) { say("FAIL: chain: %d arguments, want 6", argc); return 1; }
    long n = (long)rt_parse(argv[2], 0), pid = (long)rt_parse(argv[3], 0);
    long cloexec_fd = (long)rt_parse(argv[4], 0), plain_fd = (long)rt_parse(argv[5], 0);
    if (sys_getpid() != pid) { say("FAIL: chain step %ld: pid %ld, want %ld", n, sys_getpid(), pid); return 1; }
    if (!has_mark(environment)) { say("FAIL: chain step %ld: the environment was not carried", n); return 1; }
    if (n == 1) {
        long r = sys_fcntl(cloexec_fd, F_GETFD, 0);
        if (r != -EBADF) { say("FAIL: the O_CLOEXEC descriptor survived execve (F_GETFD %E)", r); return 1; }
        r = sys_fcntl(plain_fd, F_GETFD, 0);
        if (r != 0) { say("FAIL: a descriptor without FD_CLOEXEC was closed by execve (F_GETFD %E)", r); return 1; }
    }
    if (n == CHAIN_LENGTH) {
        say("exec_chain: %d execs in pid %ld", CHAIN_LENGTH, pid);
        return CHAIN_LENGTH;
    }
    char next[24];
    put_dec(next, n + 1);
    char *args[] = { argv[0], "chain", next, argv[3], argv[4], argv[5], 0 };
    long r = sys_execve(argv[0], args, environment);
    say("FAIL: chain step %ld: execve(%s) = %E", n, argv[0], r);
    return 1;
}

/* argv: self shebang SCRIPT x — the interpreter of a #! script */
static int shebang(int argc, char **argv)
{
    if (argc != 4 || !ends_with(argv[0], "/bin/exec_chain") || !rt_streq(argv[1], "shebang")
        || !ends_with(argv[2], "/bin/script") || !rt_streq(argv[3], "x")) {
        say("FAIL: #! interpreter got %d arguments:", argc);
        for (int i = 0; i < argc; i++) say("FAIL:   argv[%d] = %s", i, argv[i]);
        return 1;
    }
    return 0;
}

/* ---- the tests ---- */

static long spawn_exec(char **args)
{
    long pid = sys_fork();
    if (pid == 0) {
        long r = sys_execve(self, args, environment);
        say("FAIL: execve(%s, %s) = %E", self, args[1], r);
        sys_exit_group(126);
    }
    expect_ok(pid, "fork");
    return pid;
}

static void chain(void)
{
    int cloexec[2], plain[2];
    if (!expect(sys_pipe2(cloexec, O_CLOEXEC), 0, "pipe2(O_CLOEXEC)") || !expect(sys_pipe2(plain, 0), 0, "pipe2")) return;
    long pid = sys_fork();
    if (pid == 0) {
        char p[24], c[24], f[24];
        put_dec(p, sys_getpid());
        put_dec(c, cloexec[0]);
        put_dec(f, plain[0]);
        char *args[] = { self, "chain", "1", p, c, f, 0 };
        char *env[] = { "EXEC_CHAIN_OTHER=1", ENV_MARK, 0 };
        long r = sys_execve(self, args, env);
        say("FAIL: first execve(%s) = %E", self, r);
        sys_exit_group(126);
    }
    if (expect_ok(pid, "fork (chain)")) reap_expect(pid, CHAIN_LENGTH, "the chain's last image exits 50");
    sys_close(cloexec[0]); sys_close(cloexec[1]); sys_close(plain[0]); sys_close(plain[1]);
    say("exec_chain: chain of %d, environment carried, close-on-exec honoured, status crosses exec", CHAIN_LENGTH);
}

static volatile int vfork_marker;

static void vforks(void)
{
    vfork_marker = 0;
    char *args[] = { self, "sleep-then-exit", 0 };
    long pid = rt_vfork();
    if (pid == 0) {
        vfork_marker = 1;
        sys_execve(self, args, environment);
        sys_exit_group(126);
    }
    if (!expect_ok(pid, "vfork")) return;
    check(vfork_marker == 1, "vfork: the child's store before execve is the parent's memory");
    int status = -1;
    expect(sys_wait4(pid, &status, WNOHANG), 0, "vfork: the parent resumes once the child has exec'd, before it exits");
    reap_expect(pid, 7, "vfork+exec child exits 7");

    pid = rt_vfork();
    if (pid == 0) sys_exit_group(9);
    if (expect_ok(pid, "vfork (then _exit)")) reap_expect(pid, 9, "vfork child's _exit status");
    say("exec_chain: vfork+exec resumes the parent at exec; vfork+_exit");
}

static void statuses(void)
{
    char *code[] = { self, "exit", "42", 0 };
    long pid = spawn_exec(code);
    if (pid > 0) reap_expect(pid, 42, "an exec'd image's exit code");
    char *segv[] = { self, "segv", 0 };
    pid = spawn_exec(segv);
    if (pid > 0) reap_expect_signal(pid, SIGSEGV, "an exec'd image's SIGSEGV");
    say("exec_chain: exit code and SIGSEGV of an exec'd image reach the parent");
}

static void errors(void)
{
    char *none[] = { "x", 0 };
    expect(sys_execve("/nonexistent-exec-chain-dir/prog", none, environment), -ENOENT, "execve of a missing path");
    char through[4096];
    size_t n = rt_strlen(self);
    rt_memcpy(through, self, n);
    rt_memcpy(through + n, "/x", 3);
    expect(sys_execve(through, none, environment), -ENOTDIR, "execve of a path through a regular file");
    expect(sys_execve("/", none, environment), -EACCES, "execve of a directory");
    expect(sys_execve("/dev/null", none, environment), -EACCES, "execve of a device");
    char **volatile bad_argv = (char **)1;
    expect(sys_execve(self, bad_argv, environment), -EFAULT, "execve with a bad argv pointer");

    /* One string of MAX_ARG_STRLEN - 1 characters passes; MAX_ARG_STRLEN characters is E2BIG. */
    long m = map_anon(BIG_STRINGS * (BIG_STRING_LEN + 1) + MAX_ARG_STRLEN + PAGE, RW);
    if (!expect_ok(m, "mmap for the argument strings")) return;
    char *big = (char *)m;
    rt_memset(big, 'a', MAX_ARG_STRLEN);
    big[MAX_ARG_STRLEN] = 0;
    char *too_long[] = { self, E2BIG_MODE, big, 0 };
    long pid = sys_fork();
    if (pid == 0) {
        long r = sys_execve(self, too_long, environment);
        if (r != -E2BIG) say("FAIL: execve with a %lu-byte string = %E, want -E2BIG (-7)", MAX_ARG_STRLEN, r);
        sys_exit_group(r == -E2BIG ? 0 : 1);
    }
    if (expect_ok(pid, "fork")) reap_expect(pid, 0, "E2BIG for one string of MAX_ARG_STRLEN bytes");
    big[MAX_ARG_STRLEN - 1] = 0;
    char *longest[] = { self, "long-argument", big, 0 };
    pid = spawn_exec(longest);
    if (pid > 0) reap_expect(pid, 0, "a string of MAX_ARG_STRLEN - 1 bytes passes intact");

    char *strings = big + MAX_ARG_STRLEN + 1;
    char *many[BIG_STRINGS + 3];
    many[0] = self;
    many[1] = E2BIG_MODE;
    for (int i = 0; i < BIG_STRINGS; i++) {
        char *s = strings + (unsigned long)i * (BIG_STRING_LEN + 1);
        rt_memset(s, 'b', BIG_STRING_LEN);
        s[BIG_STRING_LEN] = 0;
        many[2 + i] = s;
    }
    many[BIG_STRINGS + 2] = 0;
    pid = sys_fork();
    if (pid == 0) {
        long r = sys_execve(self, many, environment);
        if (r != -E2BIG) say("FAIL: execve with 4 MB of arguments = %E, want -E2BIG (-7)", r);
        sys_exit_group(r == -E2BIG ? 0 : 1);
    }
    if (expect_ok(pid, "fork")) reap_expect(pid, 0, "E2BIG for 4 MB of argument strings");
    sys_munmap((unsigned long)m, BIG_STRINGS * (BIG_STRING_LEN + 1) + MAX_ARG_STRLEN + PAGE);
    say("exec_chain: ENOENT ENOTDIR EACCES EFAULT E2BIG; the caller's image intact");
}

/* With a --root tree: PREFIX/bin/{exec_chain,not-elf,no-exec-bit,script}. */
static int rooted(const char *prefix)
{
    char path[4096];
    char *none[] = { "x", 0 };
    size_t n = rt_strlen(prefix);
    rt_memcpy(path, prefix, n);
    rt_memcpy(path + n, "/bin/not-elf", 13);
    expect(sys_execve(path, none, environment), -ENOEXEC, "execve of an executable that is not ELF");
    rt_memcpy(path + n, "/bin/no-exec-bit", 17);
    expect(sys_execve(path, none, environment), -EACCES, "execve of an ELF without execute permission");
    rt_memcpy(path + n, "/bin/script", 12);
    long pid = sys_fork();
    if (pid == 0) {
        char *args[] = { path, "x", 0 };
        long r = sys_execve(path, args, environment);
        say("FAIL: execve of a #! script = %E", r);
        sys_exit_group(126);
    }
    if (expect_ok(pid, "fork")) reap_expect(pid, 0, "a #! script runs its interpreter with its argument and path");
    say("exec_chain: rooted: ENOEXEC, EACCES, #! script");
    return finish("exec_chain");
}

int main(int argc, char **argv)
{
    self = argv[0];
    environment = argv + argc + 1;
    if (argc >= 2) {
        const char *mode = argv[1];
        if (rt_streq(mode, "chain")) return chain_step(argc, argv);
        if (rt_streq(mode, "sleep-then-exit")) { sleep_ms(VFORK_CHILD_MS); return 7; }
        if (rt_streq(mode, "exit") && argc == 3) return (int)rt_parse(argv[2], 1);
        if (rt_streq(mode, "segv")) return (int)*(volatile long *)0;
        if (rt_streq(mode, "long-argument"))
            return argc == 3 && rt_strlen(argv[2]) == MAX_ARG_STRLEN - 1 && argv[2][0] == 'a' ? 0 : 1;
        if (rt_streq(mode, "shebang")) return shebang(argc, argv);
        if (rt_streq(mode, "rooted") && argc == 3) return rooted(argv[2]);
        if (rt_streq(mode, E2BIG_MODE)) { say("FAIL: an execve that must fail with E2BIG ran"); return 99; }
        say("FAIL: unknown mode %s", mode);
        return 2;
    }
    if (self[0] != '/') say("exec_chain: note: argv[0] %s is not absolute", self);
    chain();
    vforks();
    statuses();
    errors();
    return finish("exec_chain");
}
