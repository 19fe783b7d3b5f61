/* pthread_cancel (issue 10 §3). Modes:
 *   testcancel  a thread looping on pthread_testcancel() is cancelled;
 *   blocked     a thread blocked in read() on an empty pipe (a cancellation point) is
 *               cancelled: the C library's SIGCANCEL (glibc 32, musl 33) must interrupt the
 *               call and its handler run — signal delivery.
 * Either way the join must answer PTHREAD_CANCELED within 2 s and the cleanup handler must have
 * run. Status 0; 1 with a FAIL line. */
#include "threads.h"

static volatile int cleaned, started;
static int pipe_ends[2];

static void cleanup(void *arg) {
  (void)arg;
  cleaned = 1;
}

static void *loop_on_testcancel(void *arg) {
  (void)arg;
  pthread_cleanup_push(cleanup, NULL);
  started = 1;
  for (;;) {
    pthread_testcancel();
    sched_yield();
  }
  pthread_cleanup_pop(0);
  return NULL;
}

static void *block_in_read(void *arg) {
  (void)arg;
  char byte;
  pthread_cleanup_push(cleanup, NULL);
  started = 1;
  for (;;) read(pipe_ends[0], &byte, 1);
  pthread_cleanup_pop(0);
  return NULL;
}

int main(int argc, char **argv) {
  program_name = "threads_cancel";
  setvbuf(stdout, NULL, _IONBF, 0);
  int blocked = argc > 1 && strcmp(argv[1], "blocked") == 0;
  CHECK(pipe(pipe_ends) == 0, "pipe");
  pthread_t thread;
  pthread_create(&thread, NULL, blocked ? block_in_read : loop_on_testcancel, NULL);
  while (!started) sched_yield();
  struct timespec pause_time = {0, 20 * 1000 * 1000};
  nanosleep(&pause_time, NULL);
  CHECK(pthread_cancel(thread) == 0, "pthread_cancel");
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 2;
  void *result = NULL;
  int joined = pthread_timedjoin_np(thread, &result, &deadline);
  CHECK(joined == 0, "the cancelled thread (%s) ended within 2 s: %d", blocked ? "blocked" : "testcancel",
        joined);
  if (joined == 0) {
    CHECK(result == PTHREAD_CANCELED, "join answers PTHREAD_CANCELED");
    CHECK(cleaned, "the cleanup handler ran");
  }
  return finish(); /* exit_group ends a thread that did not end */
}
