/* The memory manager under threads (issue 10 §2): 4 threads demand-paging their own slices of
 * one region; 8 threads racing on the first touch of the same pages (one frame per page —
 * peak RSS grows by the region, not 8 times it — and every thread sees the same contents);
 * a thread touching memory another thread unmapped (SIGSEGV for the process); mprotect while
 * another thread runs; fork from a multi-threaded process (the child has one thread and all
 * the memory); thread stacks from mmap with guard pages (an overflow is SIGSEGV). On our
 * kernel, frame accounting at the end of the run checks nothing leaked. Status 0. */
#include "threads.h"

#define PAGE 4096L

/* The resident size in KiB: /proc/self/statm's where there is one (Linux: ru_maxrss survives
 * execve, so under a test harness it is the harness's peak), else the peak getrusage reports
 * (our kernel: exact, sampled at every system call; the process only grows meanwhile). */
static long rss_kib(void) {
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm) {
    long size = 0, resident = 0;
    int fields = fscanf(statm, "%ld %ld", &size, &resident);
    fclose(statm);
    if (fields == 2) return resident * (PAGE / 1024);
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static char *map_region(long pages) {
  char *region = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
  if (region == MAP_FAILED) return NULL;
  madvise(region, pages * PAGE, MADV_NOHUGEPAGE);
  return region;
}

/* 1. Slices. */
enum { SLICE_THREADS = 4, SLICE_PAGES = 256 };
static char *slices;

static void *fill_slice(void *arg) {
  long index = (long)arg;
  char *slice = slices + index * SLICE_PAGES * PAGE;
  for (long page = 0; page < SLICE_PAGES; page++) {
    long *word = (long *)(slice + page * PAGE);
    if (word[0] != 0 || word[PAGE / sizeof(long) - 1] != 0) return (void *)1;
    word[0] = index * 100000 + page;
    word[PAGE / sizeof(long) - 1] = ~(index * 100000 + page);
  }
  return NULL;
}

static void check_slices(void) {
  slices = map_region(SLICE_THREADS * SLICE_PAGES);
  CHECK(slices != NULL, "mmap the sliced region");
  pthread_t threads[SLICE_THREADS];
  for (long i = 0; i < SLICE_THREADS; i++) pthread_create(&threads[i], NULL, fill_slice, (void *)i);
  int bad = 0;
  for (int i = 0; i < SLICE_THREADS; i++) {
    void *result;
    pthread_join(threads[i], &result);
    bad |= result != NULL;
  }
  CHECK(!bad, "every fresh page of every slice read zero");
  long wrong = 0;
  for (long index = 0; index < SLICE_THREADS; index++)
    for (long page = 0; page < SLICE_PAGES; page++) {
      long *word = (long *)(slices + (index * SLICE_PAGES + page) * PAGE);
      if (word[0] != index * 100000 + page || word[PAGE / sizeof(long) - 1] != ~(index * 100000 + page))
        wrong++;
    }
  CHECK(wrong == 0, "%ld pages of the slices lost their pattern", wrong);
  munmap(slices, SLICE_THREADS * SLICE_PAGES * PAGE);
  printf("threads_memory: %d threads demand-paged %d pages each\n", SLICE_THREADS, SLICE_PAGES);
}

/* 2. The race on the first touch. */
enum { RACERS = 8, RACE_PAGES = 1024 };
static char *race;
static pthread_barrier_t start_line;
static uint32_t seen[RACERS][RACE_PAGES];

static void *touch_all(void *arg) {
  long index = (long)arg;
  pthread_barrier_wait(&start_line);
  for (long page = 0; page < RACE_PAGES; page++) {
    uint32_t *word = (uint32_t *)(race + page * PAGE);
    uint32_t mine = (uint32_t)(index + 1);
    uint32_t before = __sync_val_compare_and_swap(word, 0, mine);
    seen[index][page] = before == 0 ? mine : before;
  }
  return NULL;
}

static void check_first_touch_race(void) {
  memset(seen, 0xff, sizeof seen); /* resident before the baseline */
  race = map_region(RACE_PAGES);
  CHECK(race != NULL, "mmap the raced region");
  pthread_barrier_init(&start_line, NULL, RACERS + 1);
  pthread_t threads[RACERS];
  /* The threads' stacks are made (and touched) before the baseline: only the region counts. */
  for (long i = 0; i < RACERS; i++) pthread_create(&threads[i], NULL, touch_all, (void *)i);
  struct timespec settle = {0, 20 * 1000 * 1000};
  nanosleep(&settle, NULL);
  long before = rss_kib();
  pthread_barrier_wait(&start_line); /* the main thread lets them go */
  for (int i = 0; i < RACERS; i++) pthread_join(threads[i], NULL);
  long grown = rss_kib() - before;
  long disagree = 0, lost = 0;
  for (long page = 0; page < RACE_PAGES; page++) {
    uint32_t value = *(uint32_t *)(race + page * PAGE);
    if (value == 0) lost++;
    for (int i = 0; i < RACERS; i++)
      if (seen[i][page] != value) disagree++;
  }
  CHECK(lost == 0, "%ld pages lost every racer's write", lost);
  CHECK(disagree == 0, "%ld (thread, page) pairs saw another value than the page holds", disagree);
  long region_kib = RACE_PAGES * PAGE / 1024;
  /* Linux 6.1 folds its per-thread RSS counters into the process's lazily (SPLIT_RSS_COUNTING:
   * up to 64 pages per thread either way), so both bounds are loose; a frame per racer would
   * be 8 times the region. */
  CHECK(grown >= region_kib / 2 && grown <= 2 * region_kib,
        "peak RSS grew %ld KiB for a %ld KiB region raced by %d threads (one frame per page)",
        grown, region_kib, RACERS);
  printf("threads_memory: %d threads raced on %d first touches: RSS +%ld KiB\n", RACERS,
         RACE_PAGES, grown);
  munmap(race, RACE_PAGES * PAGE);
}

/* 3. A thread touches what another unmapped. */
static char *doomed;
static volatile int unmapped;

static void *touch_after_unmap(void *arg) {
  (void)arg;
  while (!__atomic_load_n(&unmapped, __ATOMIC_SEQ_CST)) sched_yield();
  doomed[100] = 1; /* SIGSEGV: SEGV_MAPERR */
  return NULL;
}

static void unmap_child(void) {
  doomed = map_region(4);
  doomed[0] = 1;
  pthread_t thread;
  pthread_create(&thread, NULL, touch_after_unmap, NULL);
  munmap(doomed, 4 * PAGE);
  __atomic_store_n(&unmapped, 1, __ATOMIC_SEQ_CST);
  pthread_join(thread, NULL);
  _exit(0);
}

/* 4. mprotect while another thread runs. */
static volatile long *watched;
static volatile int stop_watching;

static void *read_watched(void *arg) {
  (void)arg;
  long reads = 0, torn = 0;
  while (!__atomic_load_n(&stop_watching, __ATOMIC_SEQ_CST)) {
    long a = watched[0], b = watched[1];
    if (a != b) torn++;
    if (++reads % 64 == 0) sched_yield();
  }
  return (void *)torn;
}

static void check_mprotect_while_running(void) {
  watched = (volatile long *)map_region(1);
  pthread_t thread;
  pthread_create(&thread, NULL, read_watched, NULL);
  int failed = 0;
  for (long round = 1; round <= 300; round++) {
    failed |= mprotect((void *)watched, PAGE, PROT_READ) != 0;
    sched_yield();
    failed |= mprotect((void *)watched, PAGE, PROT_READ | PROT_WRITE) != 0;
    watched[0] = round, watched[1] = round; /* a reader may see them apart for one step */
    watched[1] = round;
  }
  __atomic_store_n(&stop_watching, 1, __ATOMIC_SEQ_CST);
  void *result;
  pthread_join(thread, &result);
  CHECK(!failed, "mprotect RW<->R 300 times while a thread reads");
  CHECK(watched[0] == 300 && watched[1] == 300, "the page kept its data");
  (void)result;
}

static void *write_forever(void *arg) {
  (void)arg;
  for (long i = 0;; i++) watched[0] = i, sched_yield();
  return NULL;
}

static void mprotect_child(void) {
  watched = (volatile long *)map_region(1);
  pthread_t thread;
  pthread_create(&thread, NULL, write_forever, NULL);
  for (int i = 0; i < 10; i++) sched_yield();
  mprotect((void *)watched, PAGE, PROT_READ); /* the writer's next write faults */
  for (;;) sched_yield();
}

/* 5. fork from a multi-threaded process. */
static volatile long spins;
static volatile int spinner_marks[3];

static void *spin(void *arg) {
  long index = (long)arg;
  spinner_marks[index] = (int)index + 10;
  for (;;) {
    __atomic_add_fetch(&spins, 1, __ATOMIC_SEQ_CST);
    if ((spins & 255) == 0) sched_yield();
  }
  return NULL;
}

static void *answer_tid(void *arg) {
  (void)arg;
  return (void *)gettid_raw();
}

static void fork_child(void) {
  int bad = 0;
  for (int i = 0; i < 3; i++) bad |= spinner_marks[i] != i + 10;
  if (bad) _exit(2); /* memory written by the parent's other threads is there */
  if (gettid_raw() != getpid()) _exit(3);
  long before = __atomic_load_n(&spins, __ATOMIC_SEQ_CST);
  struct timespec pause_time = {0, 30 * 1000 * 1000};
  nanosleep(&pause_time, NULL);
  if (__atomic_load_n(&spins, __ATOMIC_SEQ_CST) != before) _exit(4); /* a spinner came along */
  pthread_t thread;
  void *tid = NULL;
  if (pthread_create(&thread, NULL, answer_tid, NULL) != 0) _exit(5);
  pthread_join(thread, &tid);
  if ((long)tid == getpid() || (long)tid <= 0) _exit(6);
  _exit(0);
}

static void check_fork_from_threads(void) {
  pthread_t threads[3];
  for (long i = 0; i < 3; i++) pthread_create(&threads[i], NULL, spin, (void *)i);
  while (spinner_marks[0] == 0 || spinner_marks[1] == 0 || spinner_marks[2] == 0) sched_yield();
  int status = in_child(fork_child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "fork from a 4-thread process: the child has one thread and all memory (status %#x)",
        status);
  /* The spinners never end: exit_group at the end of main ends them. */
}

/* 6. Thread stacks with guard pages. */
static long recurse(long depth) {
  volatile char pad[1024];
  pad[0] = (char)depth;
  return recurse(depth + 1) + pad[0];
}

static void *overflow(void *arg) {
  (void)arg;
  return (void *)recurse(0);
}

static void overflow_child(void) {
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  pthread_create(&thread, &attr, overflow, NULL);
  pthread_join(thread, NULL);
  _exit(0);
}

static void *stack_address(void *arg) {
  volatile char here = 0;
  *(uintptr_t *)arg = (uintptr_t)&here;
  return NULL;
}

static void check_thread_stacks(void) {
  pthread_t a, b;
  uintptr_t first = 0, second = 0;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_create(&a, &attr, stack_address, &first);
  pthread_create(&b, &attr, stack_address, &second);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  long apart = first > second ? (long)(first - second) : (long)(second - first);
  CHECK(apart >= 256 * 1024, "two live threads' stacks are %ld bytes apart", apart);
  int status = in_child(overflow_child);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
        "a thread overflowing its stack hits the guard page: SIGSEGV (status %#x)", status);
}

int main(void) {
  program_name = "threads_memory";
  setvbuf(stdout, NULL, _IONBF, 0);
  check_first_touch_race(); /* first: its RSS figure needs the peak to be the current size */
  check_slices();
  int status = in_child(unmap_child);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
        "a thread touching memory another unmapped: SIGSEGV (status %#x)", status);
  check_mprotect_while_running();
  status = in_child(mprotect_child);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
        "a write after another thread's mprotect(PROT_READ): SIGSEGV (status %#x)", status);
  check_thread_stacks();
  check_fork_from_threads();
  return finish();
}
