/* signal_libc [unblock|abort] — the C library's signal functions on signals a process sends
 * itself (issue 8, item 4): raise() of SIGWINCH, SIGCHLD, SIGURG and SIGCONT returns; so does
 * raise(SIGTERM) under SIG_IGN, and under a blocked mask (sigpending then reports it). musl's
 * and glibc's raise() block every signal around the tkill/tgkill and restore the mask after,
 * so the kernel must act on the signal when the mask is restored, not when it is sent.
 *   (no argument)  status 0, `signal_libc: all checks passed`
 *   unblock        sigprocmask(SIG_UNBLOCK) of the pending SIGTERM: killed, status 143
 *   abort          abort(): killed by SIGABRT, status 134 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL: %s\n", what);
        failures++;
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "abort") == 0) {
        printf("signal_libc: abort\n");
        abort();
    }
    int ignored[] = { SIGWINCH, SIGCHLD, SIGURG, SIGCONT };
    for (unsigned i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        check(raise(ignored[i]) == 0, "raise of a default-ignored signal");
    printf("signal_libc: SIGWINCH, SIGCHLD, SIGURG, SIGCONT raised and ignored\n");

    check(signal(SIGTERM, SIG_IGN) == SIG_DFL, "signal(SIGTERM, SIG_IGN) returns SIG_DFL");
    check(raise(SIGTERM) == 0, "raise(SIGTERM) while ignored");
    check(signal(SIGTERM, SIG_DFL) == SIG_IGN, "signal(SIGTERM, SIG_DFL) returns SIG_IGN");
    printf("signal_libc: SIGTERM ignored\n");

    sigset_t term, pending, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    check(sigprocmask(SIG_BLOCK, &term, &old) == 0, "sigprocmask(SIG_BLOCK, {SIGTERM})");
    check(!sigismember(&old, SIGTERM), "SIGTERM not blocked before");
    check(raise(SIGTERM) == 0, "raise(SIGTERM) while blocked");
    check(sigpending(&pending) == 0 && sigismember(&pending, SIGTERM), "SIGTERM pending");
    check(!sigismember(&pending, SIGWINCH), "SIGWINCH not pending");
    printf("signal_libc: SIGTERM pending while blocked\n");

    if (strcmp(mode, "unblock") == 0) {
        printf("signal_libc: unblocking SIGTERM\n");
        sigprocmask(SIG_UNBLOCK, &term, NULL);
        printf("FAIL: signal_libc survived unblocking a pending SIGTERM\n");
        return 1;
    }
    check(signal(SIGTERM, SIG_IGN) == SIG_DFL, "SIG_IGN discards the pending SIGTERM");
    check(sigpending(&pending) == 0 && !sigismember(&pending, SIGTERM), "nothing pending");
    check(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "mask restored");
    if (failures) {
        printf("signal_libc: %d checks failed\n", failures);
        return 1;
    }
    printf("signal_libc: all checks passed\n");
    return 0;
}
