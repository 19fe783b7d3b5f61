/* exec_script — execve of other files of a root tree: `#!` scripts and the errors only a tree
 * can show (issue 9 §4). tests/system/test_exec.py builds the tree twice — on the host with
 * PREFIX its directory (run natively), and as run-elf's --root with PREFIX "" — and compares.
 *   exec_script show... / exec_script /PATH ...
 *                                   prints argc, argv and envp (what a script's interpreter sees)
 *   exec_script run PATH ARGS...    execve(PATH, [PATH, ARGS...], ["E=1", "SPACE=a b"])
 *   exec_script at DIR NAME ARGS... execveat(open(DIR), NAME, ...)
 *   exec_script fd PATH ARGS...     execveat(open(PATH), "", ..., AT_EMPTY_PATH)
 *   exec_script errors PREFIX       the errors: EACCES (no execute bit, a directory, an
 *                                   interpreter without execute bit or a directory), ENOEXEC
 *                                   (text, empty file, truncated ELF, "#!" with no name),
 *                                   ENOENT (missing interpreter), ELOOP (symlink loop, six
 *                                   nested scripts, AT_SYMLINK_NOFOLLOW on a symlink)
 * A failed exec prints `exec_script: execve ... failed: -N` and exits 1. */
#include "rt.h"

enum { NR_open = 2, NR_execve = 59, NR_execveat = 322 };
#define ENOTDIR 20
#define EACCES 13
#define ENOEXEC 8
#define ELOOP 40
#define O_RDONLY 0
#define O_DIRECTORY 0200000
#define AT_EMPTY_PATH 0x1000
#define AT_SYMLINK_NOFOLLOW 0x100

static char *environment[] = { "E=1", "SPACE=a b", 0 };

static char path_buffer[64][512];
static int paths_used;

/* PREFIX + suffix, in a buffer that lives to the end. */
static const char *at(const char *prefix, const char *suffix)
{
    char *out = path_buffer[paths_used++ % 64];
    size_t n = rt_strlen(prefix), m = rt_strlen(suffix);
    rt_memcpy(out, prefix, n);
    rt_memcpy(out + n, suffix, m + 1);
    return out;
}

static int show(int argc, char **argv)
{
    char **envp = argv + argc + 1;
    say("exec_script: argc %d", argc);
    for (int i = 0; i < argc; i++) say("exec_script: argv[%d] = %s", i, argv[i]);
    for (int i = 0; envp[i]; i++) say("exec_script: envp[%d] = %s", i, envp[i]);
    return 0;
}

static long exec_error(const char *prefix, const char *suffix)
{
    const char *path = at(prefix, suffix);
    char *argv[] = { (char *)path, 0 };
    return sys3(NR_execve, path, argv, environment);
}

static int errors(const char *prefix)
{
    expect(exec_error(prefix, "/data/plain"), -EACCES, "no execute bit: EACCES");
    expect(exec_error(prefix, "/bin"), -EACCES, "a directory: EACCES");
    expect(exec_error(prefix, "/data/garbage"), -ENOEXEC, "text without #!: ENOEXEC");
    expect(exec_error(prefix, "/data/empty"), -ENOEXEC, "an empty file: ENOEXEC");
    expect(exec_error(prefix, "/data/short_elf"), -ENOEXEC, "a truncated ELF: ENOEXEC");
    expect(exec_error(prefix, "/loop"), -ELOOP, "a symlink loop: ELOOP");
    expect(exec_error(prefix, "/bin/exec_script/x"), -ENOTDIR, "a file as a directory: ENOTDIR");
    expect(exec_error(prefix, "/scripts/no_interpreter"), -ENOENT, "missing interpreter: ENOENT");
    expect(exec_error(prefix, "/scripts/blank"), -ENOEXEC, "#! and blanks only: ENOEXEC");
    expect(exec_error(prefix, "/scripts/interpreter_plain"), -EACCES,
           "interpreter without execute bit: EACCES");
    expect(exec_error(prefix, "/scripts/interpreter_directory"), -EACCES,
           "a directory as interpreter: EACCES");
    expect(exec_error(prefix, "/scripts/s6"), -ELOOP, "six nested scripts: ELOOP");
    const char *link = at(prefix, "/link_to_program");
    char *argv[] = { (char *)link, 0 };
    expect(sys6(NR_execveat, -100, (long)link, (long)argv, (long)environment,
                AT_SYMLINK_NOFOLLOW, 0),
           -ELOOP, "execveat AT_SYMLINK_NOFOLLOW of a symlink: ELOOP");
    return finish("exec_script");
}

int main(int argc, char **argv)
{
    /* "show...", or a script's path: what an interpreter line without an argument hands over. */
    if (argc > 1 && ((argv[1][0] == 's' && argv[1][1] == 'h') || argv[1][0] == '/'))
        return show(argc, argv);
    if (argc > 2 && rt_streq(argv[1], "errors")) return errors(argv[2]);
    long r = -EINVAL;
    if (argc > 2 && rt_streq(argv[1], "run")) {
        r = sys3(NR_execve, argv[2], argv + 2, environment);
    } else if (argc > 3 && rt_streq(argv[1], "at")) {
        long dir = sys2(NR_open, argv[2], O_RDONLY | O_DIRECTORY);
        r = dir < 0 ? dir : sys6(NR_execveat, dir, (long)argv[3], (long)(argv + 3), (long)environment, 0, 0);
    } else if (argc > 2 && rt_streq(argv[1], "fd")) {
        long fd = sys2(NR_open, argv[2], O_RDONLY);
        r = fd < 0 ? fd : sys6(NR_execveat, fd, (long)"", (long)(argv + 2), (long)environment,
                               AT_EMPTY_PATH, 0);
    }
    say("exec_script: execve %s failed: %E", argc > 2 ? argv[2] : "?", r);
    return 1;
}
