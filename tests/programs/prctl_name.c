/* prctl_name: a thread's name (`comm`) through prctl(PR_SET_NAME / PR_GET_NAME) and /proc —
 * what busybox's shell relies on to show a forked "no-exec" applet as `{ps} /bin/sh` (in `ps`)
 * rather than as another shell. Checks: the name at start is the program file's base name; a
 * set name shows in PR_GET_NAME, /proc/self/comm, stat's (comm) and status's Name:, exactly
 * (a '/' in it is kept); longer names are cut to 15 bytes; a name ending just before an
 * unmapped page is read, an unreadable one is EFAULT; a fork child and a new thread inherit
 * the name; a thread's own name is its own (/proc/self/task/TID/comm) and leaves the
 * process's (/proc/self/comm, the leader's) alone; execve gives the new file's base name.
 * Built with musl and glibc (-pthread); run natively it shows Linux's answers. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define TASK_COMM_LEN 16

static void read_file(const char *path, char *buffer, size_t size) {
  buffer[0] = 0;
  FILE *file = fopen(path, "r");
  if (!file) return;
  size_t got = fread(buffer, 1, size - 1, file);
  buffer[got] = 0;
  fclose(file);
}

/* The name as /proc/self/comm (or a task's comm) has it, without its newline. */
static void comm_of(const char *path, char *name) {
  read_file(path, name, 64);
  char *newline = strchr(name, '\n');
  if (newline) *newline = 0;
}

/* `name` has TASK_COMM_LEN + 1 bytes: PR_GET_NAME writes 16 of them, NUL-padded; the last
 * stays NUL so that a failed call still leaves a printable string. */
static void get_name(char *name) {
  memset(name, 'x', TASK_COMM_LEN);
  name[TASK_COMM_LEN] = 0;
  CHECK(prctl(PR_GET_NAME, name) == 0, "PR_GET_NAME");
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* The name everywhere /proc reports it for this process. */
static void check_reported(const char *expected) {
  char name[TASK_COMM_LEN + 1], comm[64], text[4096], wanted[64];
  get_name(name);
  CHECK(strcmp(name, expected) == 0, "PR_GET_NAME \"%s\", not \"%s\"", name, expected);
  comm_of("/proc/self/comm", comm);
  CHECK(strcmp(comm, expected) == 0, "/proc/self/comm \"%s\", not \"%s\"", comm, expected);
  read_file("/proc/self/stat", text, sizeof text);
  snprintf(wanted, sizeof wanted, " (%s) ", expected);
  CHECK(strstr(text, wanted) != NULL, "/proc/self/stat has no \"%s\"", wanted);
  read_file("/proc/self/status", text, sizeof text);
  snprintf(wanted, sizeof wanted, "Name:\t%s\n", expected);
  CHECK(strncmp(text, wanted, strlen(wanted)) == 0, "/proc/self/status has no \"Name:\t%s\"",
        expected);
}

static char thread_comm[64], leader_comm[64];

static void *renaming_thread(void *unused) {
  (void)unused;
  char inherited[TASK_COMM_LEN + 1], path[64];
  get_name(inherited);
  CHECK(strcmp(inherited, "parent-name") == 0, "a new thread's name \"%s\"", inherited);
  CHECK(prctl(PR_SET_NAME, "worker") == 0, "PR_SET_NAME in a thread");
  snprintf(path, sizeof path, "/proc/self/task/%ld/comm", (long)syscall(SYS_gettid));
  comm_of(path, thread_comm);
  comm_of("/proc/self/comm", leader_comm);
  return NULL;
}

static int after_exec(const char *program) {
  check_reported(base_name(program));
  printf("prctl_name: after execve the name is the file's base name again\n");
  if (failures) return 1;
  printf("prctl_name: all %d checks passed\n", checks);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "after-exec") == 0) return after_exec(argv[0]);
  check_reported(base_name(argv[0]));
  printf("prctl_name: at start the name is the file's base name\n");

  CHECK(prctl(PR_SET_NAME, "renamed") == 0, "PR_SET_NAME renamed");
  check_reported("renamed");
  CHECK(prctl(PR_SET_NAME, "a/b c") == 0, "PR_SET_NAME a/b c");
  check_reported("a/b c");
  CHECK(prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz") == 0, "PR_SET_NAME long");
  check_reported("abcdefghijklmno");
  printf("prctl_name: a set name shows in PR_GET_NAME, comm, stat and status; cut to 15 bytes\n");

  long page = sysconf(_SC_PAGESIZE);
  char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(pages != MAP_FAILED, "mmap");
  CHECK(munmap(pages + page, page) == 0, "munmap the second page");
  memcpy(pages + page - 4, "end", 4);
  CHECK(prctl(PR_SET_NAME, pages + page - 4) == 0, "PR_SET_NAME before an unmapped page");
  check_reported("end");
  errno = 0;
  CHECK(prctl(PR_SET_NAME, pages + page) == -1 && errno == EFAULT, "PR_SET_NAME unmapped: EFAULT");
  errno = 0;
  CHECK(prctl(PR_GET_NAME, pages + page) == -1 && errno == EFAULT, "PR_GET_NAME unmapped: EFAULT");
  check_reported("end");
  printf("prctl_name: a name just before an unmapped page is read; an unmapped one is EFAULT\n");

  CHECK(prctl(PR_SET_NAME, "parent-name") == 0, "PR_SET_NAME parent-name");
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    char name[64];
    comm_of("/proc/self/comm", name);
    _exit(strcmp(name, "parent-name") == 0 ? 0 : 1);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the fork child's comm is not the parent's name");
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, renaming_thread, NULL) == 0, "pthread_create");
  pthread_join(thread, NULL);
  CHECK(strcmp(thread_comm, "worker") == 0, "the thread's own comm \"%s\"", thread_comm);
  CHECK(strcmp(leader_comm, "parent-name") == 0, "the process's comm \"%s\" after a thread's rename",
        leader_comm);
  check_reported("parent-name");
  printf("prctl_name: fork and threads inherit the name; a thread's own name is its own\n");
  fflush(stdout);

  char *again[] = {argv[0], "after-exec", NULL};
  execv(argv[0], again);
  printf("FAIL: execv %s\n", argv[0]);
  return 1;
}
