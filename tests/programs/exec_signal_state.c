/* What execve keeps of the signal state (Linux 6.1): the program sets an alternate signal
 * stack, handlers (SA_ONSTACK, SA_RESTART, a handler mask), an ignored signal, blocks
 * SIGUSR1 and SIGCHLD and makes both pending (SIGUSR1 sent to the thread, SIGCHLD to the
 * process), then execs itself with "after". The new image
 * checks: no alternate stack (SS_DISABLE, as POSIX says and Linux does), the mask kept, both
 * signals still pending (SIGCHLD too, though caught → SIG_DFL makes it default-ignored: only
 * unblocking discards it), caught signals back to SIG_DFL with no flags and an empty mask,
 * SIG_IGN kept. Then it unblocks SIGCHLD (discarded) and SIGUSR1, which kills it: status 138
 * (128 + SIGUSR1) with "exec_signal_state: all N checks passed" printed before. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static void handler(int sig) { (void)sig; }

static void install(int sig, void (*function)(int), int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = function;
  action.sa_flags = flags;
  sigaddset(&action.sa_mask, SIGHUP);
  sigaction(sig, &action, NULL);
}

static int before(char *self) {
  static char alternate[1 << 16];
  stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate};
  CHECK(sigaltstack(&stack, NULL) == 0, "sigaltstack");
  install(SIGUSR2, handler, SA_ONSTACK | SA_RESTART);
  install(SIGINT, handler, SA_NODEFER);
  install(SIGCHLD, handler, 0);
  install(SIGTERM, SIG_IGN, 0);
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR1);
  sigaddset(&blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &blocked, NULL);
  raise(SIGUSR1);              /* to the thread */
  kill(getpid(), SIGCHLD);     /* to the process */
  fflush(stdout);
  char *argv[] = {self, "after", NULL};
  char *envp[] = {NULL};
  execve(self, argv, envp);
  printf("FAIL: execve\n");
  return 1;
}

/* The disposition of `sig` after the exec: its handler, no flags, no mask. */
static void check_action(int sig, void (*expected)(int), const char *name) {
  struct sigaction action;
  sigaction(sig, NULL, &action);
  CHECK(action.sa_handler == expected, "%s: handler %p", name, (void *)action.sa_handler);
  /* The libc's sigaction adds SA_RESTORER to what it reads back only if the kernel has it. */
  CHECK((action.sa_flags & ~SA_RESTORER) == 0, "%s: flags %#x", name, action.sa_flags);
  CHECK(!sigismember(&action.sa_mask, SIGHUP), "%s: the handler mask survived", name);
}

static int after(void) {
  stack_t old;
  CHECK(sigaltstack(NULL, &old) == 0, "sigaltstack query");
  CHECK(old.ss_flags == SS_DISABLE, "alternate stack flags %#x, not SS_DISABLE", old.ss_flags);
  CHECK(old.ss_sp == NULL && old.ss_size == 0, "alternate stack %p size %zu kept", old.ss_sp,
        old.ss_size);
  printf("exec_signal_state: alternate stack after exec: flags %#x sp %p size %zu\n", old.ss_flags,
         old.ss_sp, old.ss_size);
  sigset_t mask, pending;
  sigprocmask(SIG_BLOCK, NULL, &mask);
  CHECK(sigismember(&mask, SIGUSR1) && sigismember(&mask, SIGCHLD), "mask not kept");
  sigpending(&pending);
  CHECK(sigismember(&pending, SIGUSR1), "pending SIGUSR1 lost");
  CHECK(sigismember(&pending, SIGCHLD), "pending SIGCHLD lost");
  printf("exec_signal_state: mask kept: USR1 %d CHLD %d; pending: USR1 %d CHLD %d\n",
         sigismember(&mask, SIGUSR1), sigismember(&mask, SIGCHLD),
         sigismember(&pending, SIGUSR1), sigismember(&pending, SIGCHLD));
  check_action(SIGUSR2, SIG_DFL, "SIGUSR2");
  check_action(SIGINT, SIG_DFL, "SIGINT");
  check_action(SIGCHLD, SIG_DFL, "SIGCHLD");
  check_action(SIGTERM, SIG_IGN, "SIGTERM");
  printf("exec_signal_state: caught signals SIG_DFL, ignored SIG_IGN\n");
  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  sigprocmask(SIG_UNBLOCK, &child, NULL);
  sigpending(&pending);
  CHECK(!sigismember(&pending, SIGCHLD), "SIGCHLD still pending once unblocked");
  if (failures) return 1;
  printf("exec_signal_state: all %d checks passed\n", checks);
  fflush(stdout);
  sigset_t user;
  sigemptyset(&user);
  sigaddset(&user, SIGUSR1);
  sigprocmask(SIG_UNBLOCK, &user, NULL);
  printf("FAIL: survived the pending SIGUSR1\n");
  return 1;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "after") == 0) return after();
  return before(argv[0]);
}
