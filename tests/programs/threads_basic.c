/* POSIX threads and the calls under them (issue 10 §2): clone(CLONE_THREAD) through
 * pthread_create, gettid / getpid in every thread, TLS (__thread), join and detach, mutex,
 * condition variable, barrier, a robust mutex whose owner exits (the kernel's robust-list walk:
 * EOWNERDEAD), thousands of thread create+join (each thread's kernel stack must come back),
 * exit of one thread vs exit_group, and clone's / clone3's refusals with Linux's errno.
 * Prints "threads_basic: create+join N us" (the benchmark figure). Self-checking; status 0. */
#include "threads.h"

static __thread int tls_value = 7;
static __thread char tls_block[256];
static pid_t main_pid;

struct ids { long tid; pid_t pid; int tls_before; int tls_after; void *tls_addr; };

static void *report_ids(void *arg) {
  struct ids *ids = arg;
  ids->tid = gettid_raw();
  ids->pid = getpid();
  ids->tls_before = tls_value;
  tls_value = (int)ids->tid;
  memset(tls_block, (int)ids->tid, sizeof tls_block);
  ids->tls_after = tls_value;
  ids->tls_addr = &tls_value;
  return (void *)(intptr_t)(ids->tid + 1);
}

static void check_ids_and_tls(void) {
  enum { N = 4 };
  pthread_t threads[N];
  struct ids ids[N];
  for (int i = 0; i < N; i++)
    CHECK(pthread_create(&threads[i], NULL, report_ids, &ids[i]) == 0, "pthread_create %d", i);
  for (int i = 0; i < N; i++) {
    void *result = NULL;
    CHECK(pthread_join(threads[i], &result) == 0, "pthread_join %d", i);
    CHECK((intptr_t)result == ids[i].tid + 1, "thread %d returned %ld", i, (long)(intptr_t)result);
    CHECK(ids[i].pid == main_pid, "getpid in a thread is the group's: %d vs %d", ids[i].pid,
          main_pid);
    CHECK(ids[i].tid != main_pid && ids[i].tid > 0, "gettid in a thread: %ld", ids[i].tid);
    CHECK(ids[i].tls_before == 7, "a thread's __thread starts from the image: %d",
          ids[i].tls_before);
    CHECK(ids[i].tls_addr != &tls_value, "each thread has its own TLS block");
    for (int j = 0; j < i; j++) CHECK(ids[i].tid != ids[j].tid, "tids differ");
  }
  CHECK(tls_value == 7, "the main thread's TLS unchanged: %d", tls_value);
  CHECK(gettid_raw() == main_pid, "the main thread's tid is the pid");
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_many(void *arg) {
  long n = (long)arg;
  for (long i = 0; i < n; i++) {
    pthread_mutex_lock(&lock);
    long c = counter;
    if ((i & 63) == 0) sched_yield(); /* hold the lock across a switch sometimes */
    counter = c + 1;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static void check_mutex(void) {
  enum { N = 4, EACH = 20000 };
  pthread_t threads[N];
  for (int i = 0; i < N; i++) pthread_create(&threads[i], NULL, add_many, (void *)(long)EACH);
  for (int i = 0; i < N; i++) pthread_join(threads[i], NULL);
  CHECK(counter == (long)N * EACH, "mutex: counter %ld, expected %ld", counter, (long)N * EACH);
}

static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int queue[16], queue_len, produced_sum, consumed_sum, done_producing;

static void *consume(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&lock);
    while (queue_len == 0 && !done_producing) pthread_cond_wait(&ready, &lock);
    if (queue_len == 0 && done_producing) {
      pthread_mutex_unlock(&lock);
      return NULL;
    }
    consumed_sum += queue[--queue_len];
    pthread_cond_broadcast(&ready);
    pthread_mutex_unlock(&lock);
  }
}

static void check_condition_variable(void) {
  enum { CONSUMERS = 3, ITEMS = 3000 };
  pthread_t threads[CONSUMERS];
  for (int i = 0; i < CONSUMERS; i++) pthread_create(&threads[i], NULL, consume, NULL);
  for (int i = 1; i <= ITEMS; i++) {
    pthread_mutex_lock(&lock);
    while (queue_len == 16) pthread_cond_wait(&ready, &lock);
    queue[queue_len++] = i;
    produced_sum += i;
    pthread_cond_signal(&ready);
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  done_producing = 1;
  pthread_cond_broadcast(&ready);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < CONSUMERS; i++) pthread_join(threads[i], NULL);
  CHECK(consumed_sum == produced_sum, "condition variable: consumed %d of %d", consumed_sum,
        produced_sum);
  /* A timed wait that times out. */
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 20 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
  pthread_mutex_lock(&lock);
  int answer = pthread_cond_timedwait(&ready, &lock, &deadline);
  pthread_mutex_unlock(&lock);
  CHECK(answer == ETIMEDOUT, "pthread_cond_timedwait: %d, expected ETIMEDOUT", answer);
}

static pthread_barrier_t barrier;
static int arrived[5];

static void *meet(void *arg) {
  long index = (long)arg;
  for (int round = 0; round < 50; round++) {
    __atomic_add_fetch(&arrived[index], 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 5; i++)
      if (__atomic_load_n(&arrived[i], __ATOMIC_SEQ_CST) < round + 1) return (void *)1;
    pthread_barrier_wait(&barrier);
  }
  return NULL;
}

static void check_barrier(void) {
  pthread_barrier_init(&barrier, NULL, 5);
  pthread_t threads[4];
  for (long i = 0; i < 4; i++) pthread_create(&threads[i], NULL, meet, (void *)(i + 1));
  void *mine = meet((void *)0);
  int bad = mine != NULL;
  for (int i = 0; i < 4; i++) {
    void *result;
    pthread_join(threads[i], &result);
    bad |= result != NULL;
  }
  CHECK(!bad, "barrier: a thread passed before all arrived");
}

static volatile int detached_ran;
static void *detached(void *arg) {
  (void)arg;
  detached_ran = 1;
  return NULL;
}

static void check_detach(void) {
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  CHECK(pthread_create(&thread, &attr, detached, NULL) == 0, "detached pthread_create");
  double give_up = now_seconds() + 5;
  while (!detached_ran && now_seconds() < give_up) sched_yield();
  CHECK(detached_ran, "a detached thread ran");
  pthread_t other;
  CHECK(pthread_create(&other, NULL, detached, NULL) == 0, "pthread_create");
  CHECK(pthread_detach(other) == 0, "pthread_detach");
}

static pthread_mutex_t robust;
static void *lock_and_exit(void *arg) {
  (void)arg;
  pthread_mutex_lock(&robust);
  return NULL; /* exits holding it */
}

static void check_robust_mutex(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &attr);
  pthread_t thread;
  pthread_create(&thread, NULL, lock_and_exit, NULL);
  pthread_join(thread, NULL);
  int answer = pthread_mutex_lock(&robust);
  CHECK(answer == EOWNERDEAD, "robust mutex after its owner exited: %d, expected EOWNERDEAD",
        answer);
  if (answer == EOWNERDEAD) {
    CHECK(pthread_mutex_consistent(&robust) == 0, "pthread_mutex_consistent");
    CHECK(pthread_mutex_unlock(&robust) == 0, "unlock");
  }
  void *head = NULL;
  size_t length = 0;
  CHECK(raw(SYS_get_robust_list, 0, (long)&head, (long)&length, 0, 0, 0) == 0,
        "get_robust_list");
  CHECK(length == 24, "get_robust_list: head %p length %zu", head, length);
  CHECK(raw(SYS_set_robust_list, (long)head, 23, 0, 0, 0, 0) == -EINVAL,
        "set_robust_list with a wrong length: EINVAL");
  CHECK(raw(SYS_get_robust_list, 999999, (long)&head, (long)&length, 0, 0, 0) == -ESRCH,
        "get_robust_list of no thread: ESRCH");
}

static void *nothing(void *arg) { return arg; }

static void check_many_threads(void) {
  enum { N = 2000 };
  int created = 0;
  double start = now_seconds();
  for (int i = 0; i < N; i++) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, nothing, NULL) != 0) break;
    pthread_join(thread, NULL);
    created++;
  }
  double elapsed = now_seconds() - start;
  CHECK(created == N, "%d threads created and joined one after another (of %d)", created, N);
  printf("threads_basic: create+join %.1f us\n", elapsed / N * 1e6);
  /* 64 alive at once. */
  pthread_t threads[64];
  int alive = 0;
  for (int i = 0; i < 64; i++)
    if (pthread_create(&threads[i], NULL, nothing, (void *)(long)i) == 0) alive++;
  for (int i = 0; i < alive; i++) pthread_join(threads[i], NULL);
  CHECK(alive == 64, "64 threads at once: %d", alive);
}

static void *exit_group_from_thread(void *arg) {
  (void)arg;
  raw(SYS_exit_group, 7, 0, 0, 0, 0, 0);
  return NULL;
}

static void *block_forever(void *arg) {
  (void)arg;
  static volatile uint32_t never;
  for (;;) futex(&never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return NULL;
}

static void group_exit_child(void) {
  pthread_t a, b, c;
  pthread_create(&a, NULL, block_forever, NULL);
  pthread_create(&b, NULL, block_forever, NULL);
  pthread_create(&c, NULL, exit_group_from_thread, NULL);
  for (;;) pause();
}

static void *exit_thread_only(void *arg) {
  (void)arg;
  pthread_exit((void *)3);
}

static void leader_exits_first_child(void) {
  /* The main thread exits alone (pthread_exit: SYS_exit, not exit_group): the process lives on
   * in its other thread, which ends it with exit_group(7). */
  pthread_t thread;
  void *result = NULL;
  pthread_create(&thread, NULL, exit_thread_only, NULL);
  pthread_join(thread, &result);
  if (result != (void *)3) _exit(1);
  pthread_create(&thread, NULL, exit_group_from_thread, NULL);
  pthread_exit(NULL);
}

static void check_exits(void) {
  int status = in_child(group_exit_child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7,
        "exit_group from one thread ends every thread: status %#x", status);
  status = in_child(leader_exits_first_child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7,
        "the first thread's exit leaves the process to the others: status %#x", status);
}

static char *self_path;
static char exec_pid[32];

static void *exec_from_thread(void *arg) {
  (void)arg;
  char *argv[] = {self_path, "exec-target", exec_pid, NULL};
  execv(self_path, argv);
  _exit(99);
}

static void exec_child(void) {
  /* Two threads blocked for ever, and a third (not the first) that execs: Linux ends the
   * others, and the exec'ing thread becomes the process's only one, with the pid as its tid. */
  snprintf(exec_pid, sizeof exec_pid, "%d", getpid());
  pthread_t a, b, c;
  pthread_create(&a, NULL, block_forever, NULL);
  pthread_create(&b, NULL, block_forever, NULL);
  pthread_create(&c, NULL, exec_from_thread, NULL);
  for (;;) pause();
}

/* The program the exec above runs: its pid and tid are the old pid. */
static int exec_target(const char *pid) {
  long expected = atol(pid);
  if (getpid() != expected) return 20;
  if (gettid_raw() != expected) return 21;
  return 12;
}

static void check_exec_from_a_thread(void) {
  int status = in_child(exec_child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 12,
        "execve from one of 4 threads: the new program is the only thread, tid = pid (status %#x)",
        status);
}

static void check_clone_refusals(void) {
  char stack[256];
  long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_THREAD;
  CHECK(raw(SYS_clone, flags, (long)(stack + sizeof stack), 0, 0, 0, 0) == -EINVAL,
        "CLONE_THREAD without CLONE_SIGHAND: EINVAL");
  CHECK(raw(SYS_clone, CLONE_SIGHAND, (long)(stack + sizeof stack), 0, 0, 0, 0) == -EINVAL,
        "CLONE_SIGHAND without CLONE_VM: EINVAL");
  CHECK(raw(SYS_clone, CLONE_FS | CLONE_NEWNS, 0, 0, 0, 0, 0) == -EINVAL,
        "CLONE_FS with CLONE_NEWNS: EINVAL");
  uint64_t args[12] = {0};
  CHECK(raw(SYS_clone3, (long)args, 63, 0, 0, 0, 0) == -EINVAL, "clone3 size 63: EINVAL");
  CHECK(raw(SYS_clone3, (long)args, 4097, 0, 0, 0, 0) == -E2BIG, "clone3 size 4097: E2BIG");
  args[11] = 1; /* a byte beyond the fields Linux knows */
  CHECK(raw(SYS_clone3, (long)args, 96, 0, 0, 0, 0) == -E2BIG,
        "clone3 with a non-zero unknown field: E2BIG");
  args[11] = 0;
  args[0] = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
  args[4] = SIGCHLD; /* exit_signal with CLONE_THREAD */
  CHECK(raw(SYS_clone3, (long)args, 88, 0, 0, 0, 0) == -EINVAL,
        "clone3 CLONE_THREAD with an exit signal: EINVAL");
  args[4] = 0;
  args[0] = 0x11; /* a signal number in the flags */
  CHECK(raw(SYS_clone3, (long)args, 64, 0, 0, 0, 0) == -EINVAL,
        "clone3 with CSIGNAL bits in flags: EINVAL");
  args[0] = 0;
  args[5] = (uint64_t)(uintptr_t)stack; /* a stack without a size */
  CHECK(raw(SYS_clone3, (long)args, 64, 0, 0, 0, 0) == -EINVAL,
        "clone3 with a stack and no size: EINVAL");
  CHECK(raw(SYS_clone3, 0, 64, 0, 0, 0, 0) == -EFAULT, "clone3 of a NULL struct: EFAULT");
  /* A plain clone3 fork. */
  uint64_t fork_args[8] = {0};
  fork_args[4] = SIGCHLD;
  fflush(stdout);
  long pid = raw(SYS_clone3, (long)fork_args, 64, 0, 0, 0, 0);
  if (pid == 0) raw(SYS_exit_group, 4, 0, 0, 0, 0, 0);
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
            WEXITSTATUS(status) == 4,
        "clone3 fork: pid %ld status %#x", pid, status);
  long tid_address = raw(SYS_set_tid_address, (long)&status, 0, 0, 0, 0, 0);
  CHECK(tid_address == main_pid, "set_tid_address answers the tid: %ld", tid_address);
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "exec-target") == 0) return exec_target(argv[2]);
  self_path = argv[0];
  program_name = "threads_basic";
  setvbuf(stdout, NULL, _IONBF, 0);
  main_pid = getpid();
  check_ids_and_tls();
  check_mutex();
  check_condition_variable();
  check_barrier();
  check_detach();
  check_robust_mutex();
  check_many_threads();
  check_exits();
  check_clone_refusals();
  check_exec_from_a_thread();
  return finish();
}
