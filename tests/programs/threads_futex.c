/* futex(2) as Linux answers it (issue 10 §2): WAIT / WAKE / WAIT_BITSET / WAKE_BITSET /
 * REQUEUE / CMP_REQUEUE, private and shared (a MAP_SHARED word across fork), timeouts (relative
 * for WAIT, absolute for WAIT_BITSET on CLOCK_MONOTONIC and CLOCK_REALTIME), EAGAIN, ETIMEDOUT,
 * EINVAL, ENOSYS; then a ping-pong of thousands of hand-offs between two threads.
 * Prints "threads_futex: N hand-offs in T ms (U us each)". Self-checking; status 0. */
#include "threads.h"

static volatile uint32_t word, word2;

static void check_errors(void) {
  struct timespec zero = {0, 0};
  CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0) == -EAGAIN,
        "WAIT on a word that differs: EAGAIN");
  CHECK(futex((volatile uint32_t *)((char *)&word + 1), FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0) ==
            -EINVAL,
        "misaligned WAIT: EINVAL");
  CHECK(futex((volatile uint32_t *)((char *)&word + 2), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) ==
            -EINVAL,
        "misaligned WAKE: EINVAL");
  CHECK(futex(&word, 99, 0, NULL, NULL, 0) == -ENOSYS, "unknown op: ENOSYS");
  CHECK(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0) == -ENOSYS,
        "WAKE with FUTEX_CLOCK_REALTIME: ENOSYS");
  CHECK(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) == -EINVAL,
        "WAIT_BITSET with bitset 0: EINVAL");
  CHECK(futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == -EINVAL,
        "WAKE_BITSET with bitset 0: EINVAL");
  struct timespec bad = {0, 1000000000};
  CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0) == -EINVAL,
        "WAIT with tv_nsec 1e9: EINVAL");
  struct timespec negative = {-1, 0};
  CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 0, &negative, NULL, 0) == -EINVAL,
        "WAIT with a negative tv_sec: EINVAL");
  CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 0, (struct timespec *)8, NULL, 0) == -EFAULT,
        "WAIT with an unreadable timeout: EFAULT");
  CHECK(futex((volatile uint32_t *)0x10, FUTEX_WAIT, 0, NULL, NULL, 0) == -EFAULT,
        "WAIT on an unmapped word: EFAULT");
  CHECK(futex((volatile uint32_t *)0x10, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0,
        "private WAKE on an unmapped word: 0 (only the range is checked)");
  CHECK(futex((volatile uint32_t *)0x10, FUTEX_WAKE, 1, NULL, NULL, 0) == -EFAULT,
        "shared WAKE on an unmapped word: EFAULT");
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0) == 0, "WAKE with no waiters: 0");
  CHECK(futex(&word, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (struct timespec *)1, &word2,
              word + 1) == -EAGAIN,
        "CMP_REQUEUE with a word that differs: EAGAIN");
  CHECK(futex(&word, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, (uint32_t)-1, (struct timespec *)1,
              &word2, word) == -EINVAL,
        "CMP_REQUEUE with a negative count: EINVAL");
  static volatile uint32_t pi_word;
  CHECK(futex(&pi_word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) != -EINVAL,
        "LOCK_PI is a known op (ours: ENOSYS, a documented difference)");
}

static void check_timeouts(void) {
  struct timespec ten_ms = {0, 10 * 1000 * 1000};
  double start = now_seconds();
  long answer = futex(&word, FUTEX_WAIT_PRIVATE, 0, &ten_ms, NULL, 0);
  double waited = now_seconds() - start;
  CHECK(answer == -ETIMEDOUT, "WAIT 10 ms: %ld, expected -ETIMEDOUT", answer);
  CHECK(waited >= 0.009 && waited < 1.0, "WAIT 10 ms waited %.3f s", waited);

  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += 10 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
  start = now_seconds();
  answer = futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &deadline, NULL,
                 FUTEX_BITSET_MATCH_ANY);
  waited = now_seconds() - start;
  CHECK(answer == -ETIMEDOUT, "WAIT_BITSET to a monotonic deadline: %ld", answer);
  CHECK(waited >= 0.005 && waited < 1.0, "WAIT_BITSET monotonic waited %.3f s", waited);

  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 10 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
  start = now_seconds();
  answer = futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 0,
                 &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
  waited = now_seconds() - start;
  CHECK(answer == -ETIMEDOUT, "WAIT_BITSET to a realtime deadline: %ld", answer);
  CHECK(waited < 1.0, "WAIT_BITSET realtime waited %.3f s", waited);

  struct timespec past = {1, 0}; /* long gone on the monotonic clock */
  answer = futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &past, NULL,
                 FUTEX_BITSET_MATCH_ANY);
  CHECK(answer == -ETIMEDOUT, "WAIT_BITSET to a past deadline: %ld", answer);
  answer = futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 1, &past, NULL,
                 FUTEX_BITSET_MATCH_ANY);
  CHECK(answer == -EAGAIN, "the word is checked before the deadline: %ld", answer);
}

/* Waiters for the wake / requeue checks. */
static volatile uint32_t gate, target_word;
static volatile int waiting, released;
static uint32_t bitsets[4] = {1, 2, 4, 8};

static void *wait_on_gate(void *arg) {
  uint32_t bits = *(uint32_t *)arg;
  __atomic_add_fetch(&waiting, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(&gate, __ATOMIC_SEQ_CST) == 0)
    futex(&gate, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, bits);
  __atomic_add_fetch(&released, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void *wait_for_requeue(void *arg) {
  (void)arg;
  __atomic_add_fetch(&waiting, 1, __ATOMIC_SEQ_CST);
  long answer = futex(&gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  __atomic_add_fetch(&released, 1, __ATOMIC_SEQ_CST);
  return (void *)answer;
}

/* Lets the waiters reach their futex wait (on both kernels: they run while this sleeps). */
static void settle(void) {
  struct timespec pause_time = {0, 30 * 1000 * 1000};
  while (__atomic_load_n(&waiting, __ATOMIC_SEQ_CST) < 4) sched_yield();
  nanosleep(&pause_time, NULL);
}

static void check_bitset_wake(void) {
  pthread_t threads[4];
  gate = 0, waiting = 0, released = 0;
  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, wait_on_gate, &bitsets[i]);
  settle();
  long woken = futex(&gate, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, NULL, NULL, 2 | 8);
  CHECK(woken == 2, "WAKE_BITSET 2|8 woke %ld of the 4 waiters, expected 2", woken);
  struct timespec pause_time = {0, 30 * 1000 * 1000};
  nanosleep(&pause_time, NULL);
  woken = futex(&gate, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, NULL, NULL, 2 | 8);
  nanosleep(&pause_time, NULL);
  CHECK(woken == 2, "the woken went back to wait (gate still 0): %ld", woken);
  woken = futex(&gate, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0);
  CHECK(woken == 1, "WAKE with count 0 wakes one, as Linux: %ld", woken);
  __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
  futex(&gate, FUTEX_WAKE_PRIVATE, 100, NULL, NULL, 0);
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  CHECK(released == 4, "all 4 released: %d", released);
}

static void check_requeue(void) {
  pthread_t threads[4];
  gate = 0, target_word = 0, waiting = 0, released = 0;
  for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, wait_for_requeue, NULL);
  settle();
  long answer = futex(&gate, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (struct timespec *)2,
                      &target_word, 0);
  CHECK(answer == 3, "CMP_REQUEUE wake 1 move 2: %ld, expected 3", answer);
  answer = futex(&gate, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
  CHECK(answer == 1, "one left on the first futex: %ld", answer);
  answer = futex(&target_word, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 0, (struct timespec *)1,
                 &gate, 0);
  CHECK(answer == 1, "REQUEUE wake 0 move 1: %ld", answer);
  answer = futex(&target_word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
  CHECK(answer == 1, "one left on the second futex: %ld", answer);
  answer = futex(&gate, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
  CHECK(answer == 1, "the moved one is on the first again: %ld", answer);
  for (int i = 0; i < 4; i++) {
    void *result;
    pthread_join(threads[i], &result);
    CHECK(result == NULL, "a requeued waiter's WAIT answers 0: %ld", (long)result);
  }
}

static volatile uint32_t *shared_word;

static void check_shared_across_fork(void) {
  /* A MAP_SHARED word in two processes (two address spaces): one shared futex, by frame. */
  shared_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(shared_word != MAP_FAILED, "mmap shared");
  *shared_word = 0;
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    while (*shared_word == 0) futex(shared_word, FUTEX_WAIT, 0, NULL, NULL, 0);
    _exit(*shared_word == 5 ? 0 : 1);
  }
  struct timespec pause_time = {0, 50 * 1000 * 1000};
  nanosleep(&pause_time, NULL);
  *shared_word = 5;
  long woken = futex(shared_word, FUTEX_WAKE, 1, NULL, NULL, 0);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(woken == 1, "a shared WAKE in the parent woke the child's WAIT: %ld", woken);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child saw the word: %#x", status);
}

/* Ping-pong: two threads hand a token back and forth through one futex word each. */
static volatile uint32_t turn;
enum { HANDOFFS = 5000 };

static void *pong(void *arg) {
  (void)arg;
  for (int i = 0; i < HANDOFFS; i++) {
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 1)
      futex(&turn, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    __atomic_store_n(&turn, 0, __ATOMIC_RELEASE);
    futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  }
  return NULL;
}

static void check_ping_pong(void) {
  pthread_t thread;
  turn = 0;
  pthread_create(&thread, NULL, pong, NULL);
  double start = now_seconds();
  for (int i = 0; i < HANDOFFS; i++) {
    __atomic_store_n(&turn, 1, __ATOMIC_RELEASE);
    futex(&turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 0)
      futex(&turn, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
  }
  double elapsed = now_seconds() - start;
  pthread_join(thread, NULL);
  CHECK(turn == 0, "ping-pong ended with the token home");
  printf("threads_futex: %d hand-offs in %.1f ms (%.2f us each)\n", 2 * HANDOFFS, elapsed * 1e3,
         elapsed / (2 * HANDOFFS) * 1e6);
}

int main(void) {
  program_name = "threads_futex";
  setvbuf(stdout, NULL, _IONBF, 0);
  check_errors();
  check_timeouts();
  check_bitset_wake();
  check_requeue();
  check_shared_across_fork();
  check_ping_pong();
  return finish();
}
