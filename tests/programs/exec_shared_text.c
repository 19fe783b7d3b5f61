/* exec_shared_text — ten processes of one program at once, each exec'd from the same file
 * (issue 11 §3, the page cache's first use): every one must see the program's data segment
 * as the file has it, and its writes to it must stay its own.
 *   - the parent writes its initialised data word (and a bss word) first: a private copy of
 *     its page, which must never reach the file's pages — the children, exec'ing the file,
 *     read the file's value and a zero bss;
 *   - ten children are forked, each execs argv[0] with "child I BARRIER READY"; each checks
 *     the data word and the bss, writes its own index into both, says it is ready (a byte on
 *     READY), then waits on BARRIER until all ten are — ten images alive at once — and
 *     checks it still reads its own index;
 *   - the parent, once it has read ten ready bytes, ends the wait (closing BARRIER's write
 *     end: EOF), reaps all ten (status 0 each) and checks its own words kept its writes.
 * On our kernel the text pages come from one page-cache frame each (tests/system/
 * test_page_cache.py reads the kernel's count). Status 0. */
#include "rt.h"
#include "proc.h"

#define CHILDREN 10
#define DATA_TAG 0x5eed0fa11UL   /* the file's value of `data_word` */
#define PARENT_TAG 0x9a7e47UL    /* the parent's write */
#define CHILD_TAG 0xc41d0000UL   /* + the child's index: the child's write */

/* Initialised data (.data, from the file) and bss: volatile so every access is a real load or
 * store of the segment's page. */
static volatile unsigned long data_word = DATA_TAG;
static volatile unsigned long bss_word;

static long parse_number(const char *s)
{
    long v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static void put_number(char *out, long v)
{
    char t[24];
    int i = 0;
    do t[i++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    while (i) *out++ = t[--i];
    *out = 0;
}

/* The exec'd child: the file's data, then its own, kept while its siblings run too. */
static int child(long index, long barrier, long ready)
{
    char byte = 'r';
    check(data_word == DATA_TAG, "child: the data word is the file's after exec");
    check(bss_word == 0, "child: the bss is zero after exec");
    data_word = CHILD_TAG + (unsigned long)index;
    bss_word = CHILD_TAG + (unsigned long)index;
    expect(sys_write(ready, &byte, 1), 1, "child: write of its ready byte");
    expect(sys_read(barrier, &byte, 1), 0, "child: read of the barrier pipe (EOF)");
    check(data_word == CHILD_TAG + (unsigned long)index, "child: its data word is its own");
    check(bss_word == CHILD_TAG + (unsigned long)index, "child: its bss word is its own");
    return rt_failures == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    char **envp = argv + argc + 1; /* the raw build's entry passes no envp */
    if (argc == 5 && argv[1][0] == 'c')
        return child(parse_number(argv[2]), parse_number(argv[3]), parse_number(argv[4]));
    data_word = PARENT_TAG;
    bss_word = PARENT_TAG;
    int barrier[2], ready[2];
    if (!expect(sys_pipe2(barrier, 0), 0, "pipe2 (barrier)")) return finish("exec_shared_text");
    if (!expect(sys_pipe2(ready, 0), 0, "pipe2 (ready)")) return finish("exec_shared_text");
    long pids[CHILDREN];
    for (long i = 0; i < CHILDREN; i++) {
        pids[i] = sys_fork();
        if (!expect_ok(pids[i], "fork")) return finish("exec_shared_text");
        if (pids[i] == 0) {
            char index[24], wait_fd[24], ready_fd[24];
            put_number(index, i);
            put_number(wait_fd, barrier[0]);
            put_number(ready_fd, ready[1]);
            char *args[] = { argv[0], "child", index, wait_fd, ready_fd, 0 };
            sys_close(barrier[1]);
            sys_close(ready[0]);
            sys_execve(argv[0], args, envp);
            sys_exit_group(127);
        }
    }
    sys_close(ready[1]);
    char bytes[CHILDREN];
    expect(read_full(ready[0], bytes, CHILDREN), CHILDREN, "parent: every child's ready byte");
    sys_close(barrier[1]);
    int reaped = 0;
    for (long i = 0; i < CHILDREN; i++) reaped += reap_expect(pids[i], 0, "an exec'd child");
    check(data_word == PARENT_TAG && bss_word == PARENT_TAG, "parent: its words kept its writes");
    say("exec_shared_text: %d children ran the program at once, each with its own data", reaped);
    return finish("exec_shared_text");
}
