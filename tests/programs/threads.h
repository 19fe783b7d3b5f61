/* Shared helpers of the thread test programs (threads_*.c): check counting, raw futex and
 * clone calls (the libc wrappers hide errno details these programs check). Built with
 * musl-gcc -static -pthread and gcc -static -pthread. */
#ifndef THREADS_H
#define THREADS_H
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* linux/futex.h (musl-gcc has no kernel headers). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

static const char *program_name = "threads";
static int checks, failures;

#define CHECK(cond, ...)                                                                       \
  do {                                                                                         \
    checks++;                                                                                  \
    if (!(cond)) {                                                                             \
      failures++;                                                                              \
      printf("FAIL: " __VA_ARGS__);                                                            \
      printf(" (%s:%d)\n", __FILE__, __LINE__);                                                \
      fflush(stdout);                                                                          \
    }                                                                                          \
  } while (0)

static int finish(void) {
  if (failures == 0)
    printf("%s: all %d checks passed\n", program_name, checks);
  else
    printf("%s: %d of %d checks failed\n", program_name, failures, checks);
  fflush(stdout);
  return failures == 0 ? 0 : 1;
}

/* The raw system call's answer: a value, or -errno. */
static long raw(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

__attribute__((unused)) static long futex(volatile uint32_t *word, int op, uint32_t val, const struct timespec *timeout,
                  volatile uint32_t *word2, uint32_t val3) {
  return raw(SYS_futex, (long)word, op, val, (long)timeout, (long)word2, val3);
}

__attribute__((unused)) static long gettid_raw(void) { return raw(SYS_gettid, 0, 0, 0, 0, 0, 0); }

__attribute__((unused)) static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* Runs fn in a forked child; returns its wait status. */
__attribute__((unused)) static int in_child(void (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    fn();
    _exit(0);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return status;
}
#endif
