/* Which thread a signal goes to (Linux's rules; issue 10 §1 with §2's threads):
 *   - tgkill/pthread_kill: pending on the thread it names and delivered there, interrupting
 *     that thread's blocked read() (EINTR: no SA_RESTART), whichever thread sends it;
 *   - kill(getpid()): pending on the process, taken by a thread that does not block it (here
 *     the only one that does not, blocked in pause()), whose handler runs;
 *   - a blocked thread-directed signal stays pending on that thread only (sigpending there,
 *     not in another thread);
 *   - a terminating signal sent to one thread (tgkill SIGTERM) ends every thread: status 143
 *     (mode "fatal").
 * Status 0 with "threads_signals: all N checks passed"; 1 with a FAIL line. */
#include <signal.h>

#include "threads.h"

static volatile pid_t handled_in;
static volatile int handled_count;
static volatile int ready;
static int pipe_ends[2];
static volatile pid_t reader_tid, pauser_tid;
static volatile ssize_t read_answer;
static volatile int read_errno;

static void on_signal(int signal) {
  (void)signal;
  handled_in = (pid_t)syscall(SYS_gettid);
  handled_count++;
}

static void *read_blocked(void *arg) {
  (void)arg;
  char byte;
  reader_tid = (pid_t)syscall(SYS_gettid);
  ready = 1;
  read_answer = read(pipe_ends[0], &byte, 1);
  read_errno = errno;
  return NULL;
}

static void *pause_unblocked(void *arg) {
  (void)arg;
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);
  pauser_tid = (pid_t)syscall(SYS_gettid);
  ready = 1;
  pause();
  return NULL;
}

static void *block_forever(void *arg) {
  (void)arg;
  ready = 1;
  for (;;) pause();
  return NULL;
}

static void wait_ready(void) {
  while (!ready) sched_yield();
  struct timespec settle = {0, 20 * 1000 * 1000};
  nanosleep(&settle, NULL); /* let it reach its blocking call */
}

int main(int argc, char **argv) {
  program_name = "threads_signals";
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal; /* no SA_RESTART: the read answers EINTR */
  sigaction(SIGUSR1, &action, NULL);
  sigaction(SIGUSR2, &action, NULL);
  pid_t main_tid = (pid_t)syscall(SYS_gettid);
  CHECK(pipe(pipe_ends) == 0, "pipe");

  if (argc > 1 && strcmp(argv[1], "fatal") == 0) {
    pthread_t other;
    pthread_create(&other, NULL, block_forever, NULL);
    wait_ready();
    syscall(SYS_tgkill, getpid(), main_tid, SIGTERM);
    printf("FAIL: SIGTERM did not end the process\n");
    return 1;
  }

  /* tgkill from the main thread to a thread blocked in read(). */
  pthread_t reader;
  ready = 0;
  pthread_create(&reader, NULL, read_blocked, NULL);
  wait_ready();
  CHECK(pthread_kill(reader, SIGUSR1) == 0, "pthread_kill");
  pthread_join(reader, NULL);
  CHECK(handled_in == reader_tid, "SIGUSR1 handled in the reader %d (handled in %d, main %d)",
        (int)reader_tid, (int)handled_in, (int)main_tid);
  CHECK(read_answer == -1 && read_errno == EINTR, "the reader's read answers EINTR: %zd, %d",
        read_answer, read_errno);

  /* kill(getpid()) while the main thread blocks SIGUSR2: the other thread takes it. */
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &usr2, NULL);
  pthread_t pauser;
  ready = 0;
  handled_in = 0;
  pthread_create(&pauser, NULL, pause_unblocked, NULL);
  wait_ready();
  CHECK(kill(getpid(), SIGUSR2) == 0, "kill");
  pthread_join(pauser, NULL);
  CHECK(handled_in == pauser_tid, "SIGUSR2 handled in the thread that does not block it %d "
        "(handled in %d)", (int)pauser_tid, (int)handled_in);
  sigset_t pending;
  sigpending(&pending);
  CHECK(!sigismember(&pending, SIGUSR2), "SIGUSR2 is no longer pending");

  /* A blocked thread-directed signal to the main thread stays pending there only. */
  pthread_t other;
  ready = 0;
  handled_count = 0;
  pthread_create(&other, NULL, block_forever, NULL);
  wait_ready();
  syscall(SYS_tgkill, getpid(), main_tid, SIGUSR2);
  sigpending(&pending);
  CHECK(sigismember(&pending, SIGUSR2), "SIGUSR2 pending on the main thread");
  CHECK(handled_count == 0, "the other thread did not take the main thread's SIGUSR2");
  pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
  CHECK(handled_count == 1 && handled_in == main_tid, "unblocked, it runs in the main thread");
  return finish(); /* exit_group ends the thread still in pause() */
}
