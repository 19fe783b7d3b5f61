/* rt_sigqueueinfo / rt_tgsigqueueinfo as Linux 6.1 answers them (kernel/signal.c): the
 * caller's siginfo reaches the handler as given (si_signo replaced by the signal; si_errno,
 * si_code and the first 32 bytes of the union kept, the rest zero), from any process when
 * si_code is negative and not SI_TKILL — otherwise only to itself (EPERM: nobody may pretend
 * to be the kernel or kill()); EFAULT for an unreadable siginfo (checked first), E2BIG for a
 * si_code with no known layout and nonzero bytes past the 48 the kernel keeps, ESRCH for no
 * such process, EINVAL for a bad signal or a non-positive id of rt_tgsigqueueinfo.
 * "sigqueueinfo: all N checks passed", status 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define NO_SUCH_PID 999999
#define UNKNOWN_CODE (-100) /* negative, below SI_DETHREAD (-7), not SI_ASYNCNL (-60) */
#define KERNEL_KEEPS 48     /* sizeof(struct kernel_siginfo) */

static long queue(pid_t pid, int sig, siginfo_t *info) {
  long r = syscall(SYS_rt_sigqueueinfo, pid, sig, info);
  return r < 0 ? -errno : r;
}
static long tgqueue(pid_t tgid, pid_t tid, int sig, siginfo_t *info) {
  long r = syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, info);
  return r < 0 ? -errno : r;
}
static pid_t tid_of_caller(void) { return (pid_t)syscall(SYS_gettid); }

static siginfo_t made(int code, int error, pid_t pid, uid_t uid, uintptr_t value) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_signo = SIGHUP; /* replaced by the signal sent */
  info.si_code = code;
  info.si_errno = error;
  info.si_pid = pid;
  info.si_uid = uid;
  info.si_value.sival_ptr = (void *)value;
  return info;
}

/* Takes the (blocked) pending `sig` with its info. */
static siginfo_t taken(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  siginfo_t info;
  memset(&info, 0xa5, sizeof info);
  struct timespec none = {0, 0};
  int got = sigtimedwait(&set, &info, &none);
  CHECK(got == sig, "sigtimedwait for %d: %d (errno %d)", sig, got, errno);
  return info;
}

static void expect_info(siginfo_t got, int sig, int code, int error, pid_t pid, uid_t uid,
                        uintptr_t value, const char *what) {
  CHECK(got.si_signo == sig, "%s: si_signo %d", what, got.si_signo);
  CHECK(got.si_code == code, "%s: si_code %d", what, got.si_code);
  CHECK(got.si_errno == error, "%s: si_errno %d", what, got.si_errno);
  CHECK(got.si_pid == pid && got.si_uid == uid, "%s: si_pid %d si_uid %d", what, got.si_pid,
        got.si_uid);
  CHECK((uintptr_t)got.si_value.sival_ptr == value, "%s: si_value %p", what,
        got.si_value.sival_ptr);
  unsigned char *bytes = (unsigned char *)&got;
  int tail = 0;
  for (size_t i = KERNEL_KEEPS; i < sizeof got; i++) tail |= bytes[i];
  CHECK(tail == 0, "%s: bytes past %d not zero", what, KERNEL_KEEPS);
}

static void check_to_itself(void) {
  siginfo_t info = made(SI_QUEUE, 5, 1234, 42, 0xdeadbeef);
  CHECK(queue(getpid(), SIGUSR1, &info) == 0, "rt_sigqueueinfo to itself");
  expect_info(taken(SIGUSR1), SIGUSR1, SI_QUEUE, 5, 1234, 42, 0xdeadbeef, "SI_QUEUE");
  /* To itself, even a si_code >= 0 (SI_USER, SI_KERNEL) or SI_TKILL is accepted. */
  info = made(SI_USER, 0, 77, 7, 0);
  CHECK(queue(getpid(), SIGUSR1, &info) == 0, "SI_USER to itself");
  expect_info(taken(SIGUSR1), SIGUSR1, SI_USER, 0, 77, 7, 0, "SI_USER to itself");
  info = made(SI_KERNEL, 0, 0, 0, 0);
  CHECK(tgqueue(getpid(), tid_of_caller(), SIGUSR2, &info) == 0, "SI_KERNEL tg to itself");
  expect_info(taken(SIGUSR2), SIGUSR2, SI_KERNEL, 0, 0, 0, 0, "SI_KERNEL tg to itself");
  info = made(SI_QUEUE, 0, 0, 0, 0);
  CHECK(queue(getpid(), 0, &info) == 0, "signal 0 probes");
  printf("sigqueueinfo: to itself: siginfo passed through (SI_QUEUE, SI_USER, SI_KERNEL)\n");
}

static void check_errors(void) {
  siginfo_t info = made(SI_QUEUE, 0, 0, 0, 0);
  CHECK(queue(getpid(), SIGUSR1, NULL) == -EFAULT, "NULL siginfo");
  CHECK(queue(NO_SUCH_PID, 65, NULL) == -EFAULT, "EFAULT comes first");
  CHECK(queue(getpid(), 65, &info) == -EINVAL, "signal 65");
  CHECK(queue(NO_SUCH_PID, SIGUSR1, &info) == -ESRCH, "no such process");
  CHECK(queue(NO_SUCH_PID, 65, &info) == -ESRCH, "ESRCH before EINVAL");
  CHECK(queue(0, SIGUSR1, &info) == -ESRCH, "pid 0: %ld", queue(0, SIGUSR1, &info));
  CHECK(queue(-1, SIGUSR1, &info) == -ESRCH, "pid -1: %ld", queue(-1, SIGUSR1, &info));
  CHECK(tgqueue(0, tid_of_caller(), SIGUSR1, &info) == -EINVAL, "tgid 0");
  CHECK(tgqueue(getpid(), 0, SIGUSR1, &info) == -EINVAL, "tid 0");
  CHECK(tgqueue(getpid(), 0, SIGUSR1, NULL) == -EFAULT, "tg EFAULT before EINVAL");
  CHECK(tgqueue(getpid(), NO_SUCH_PID, SIGUSR1, &info) == -ESRCH, "tg no such thread");
  CHECK(tgqueue(NO_SUCH_PID, tid_of_caller(), SIGUSR1, &info) == -ESRCH, "tg wrong group");
  CHECK(tgqueue(getpid(), tid_of_caller(), 65, &info) == -EINVAL, "tg signal 65");
  /* An unknown si_code's extra bytes must be zero (E2BIG), a known one's are not looked at. */
  siginfo_t odd = made(UNKNOWN_CODE, 0, 0, 0, 0);
  ((unsigned char *)&odd)[KERNEL_KEEPS] = 1;
  CHECK(queue(getpid(), SIGUSR1, &odd) == -E2BIG, "unknown si_code with extra bytes");
  odd.si_code = 0x7f; /* > SI_USER, above SIGUSR1's NSIGPOLL limit, not SI_KERNEL */
  CHECK(queue(getpid(), SIGUSR1, &odd) == -E2BIG, "si_code 0x7f with extra bytes");
  odd.si_code = SI_QUEUE;
  CHECK(queue(getpid(), SIGUSR1, &odd) == 0, "SI_QUEUE with extra bytes");
  expect_info(taken(SIGUSR1), SIGUSR1, SI_QUEUE, 0, 0, 0, 0, "extra bytes dropped");
  odd.si_code = UNKNOWN_CODE;
  ((unsigned char *)&odd)[KERNEL_KEEPS] = 0;
  CHECK(queue(getpid(), SIGUSR1, &odd) == 0, "unknown si_code, zero extra bytes");
  expect_info(taken(SIGUSR1), SIGUSR1, UNKNOWN_CODE, 0, 0, 0, 0, "unknown si_code");
  printf("sigqueueinfo: errors: EFAULT, EINVAL, ESRCH, E2BIG as Linux\n");
}

/* From another process: only a negative si_code other than SI_TKILL. */
static void check_from_child(void) {
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    siginfo_t info = made(SI_USER, 0, 0, 0, 0);
    int bad = 0;
    bad |= queue(parent, SIGUSR1, &info) != -EPERM;
    info.si_code = SI_KERNEL;
    bad |= (queue(parent, SIGUSR1, &info) != -EPERM) << 1;
    info.si_code = SI_TKILL;
    bad |= (queue(parent, SIGUSR1, &info) != -EPERM) << 2;
    info.si_code = SI_USER;
    bad |= (tgqueue(parent, parent, SIGUSR1, &info) != -EPERM) << 3;
    info = made(SI_QUEUE, 0, 4321, 99, 0x1234);
    bad |= (queue(parent, SIGUSR1, &info) != 0) << 4;
    _exit(bad);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child's checks: status %#x", status);
  expect_info(taken(SIGUSR1), SIGUSR1, SI_QUEUE, 0, 4321, 99, 0x1234, "from the child");
  printf("sigqueueinfo: from another process: EPERM unless si_code < 0 and not SI_TKILL\n");
}

int main(void) {
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR1);
  sigaddset(&blocked, SIGUSR2);
  sigprocmask(SIG_BLOCK, &blocked, NULL);
  check_to_itself();
  check_errors();
  check_from_child();
  if (failures) return 1;
  printf("sigqueueinfo: all %d checks passed\n", checks);
  return 0;
}
