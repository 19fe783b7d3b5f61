// Signal delivery to handlers (issue 10 §1): a Linux x86-64 signal frame, rt_sigreturn, the
// alternate stack, the page trap's and the CPU exceptions' signals with their siginfo, and
// the handler flags. Built with musl and glibc (their sigaction, restorers and siglongjmp run
// unmodified). Usage: signal_delivery MODE [N]; each mode prints its lines, one "FAIL: …"
// per failed check, and exits 0 when everything held. Every expectation is Linux 6.1's.
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)  // Linux 4.7; not in every libc's headers
#endif

static int failures;
#define CHECK(cond, what)                                                     \
  do {                                                                        \
    if (!(cond)) {                                                            \
      printf("FAIL: %s (line %d)\n", what, __LINE__);                         \
      fflush(stdout);                                                         \
      failures++;                                                             \
    }                                                                         \
  } while (0)

static void install(int sig, void (*handler)(int, siginfo_t *, void *), int flags,
                    const sigset_t *mask) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | flags;
  if (mask) action.sa_mask = *mask; else sigemptyset(&action.sa_mask);
  if (sigaction(sig, &action, NULL) != 0) { printf("FAIL: sigaction %d\n", sig); exit(2); }
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// --- write barrier: N read-only pages, each first write a SIGSEGV the handler repairs ------
static char *barrier_base;
static size_t barrier_pages;
static char *volatile barrier_expected;
static volatile int barrier_faults, barrier_bad_addr, barrier_bad_code;

static void barrier_handler(int sig, siginfo_t *info, void *context) {
  (void)context;
  if (sig != SIGSEGV || info->si_signo != SIGSEGV) barrier_bad_code++;
  if ((char *)info->si_addr != barrier_expected) barrier_bad_addr++;
  if (info->si_code != SEGV_ACCERR) barrier_bad_code++;
  char *page = (char *)((uintptr_t)info->si_addr & ~(uintptr_t)4095);
  if (mprotect(page, 4096, PROT_READ | PROT_WRITE) != 0) _exit(3);
  barrier_faults++;
}

static int mode_barrier(int pages) {
  barrier_pages = (size_t)pages;
  barrier_base = mmap(NULL, barrier_pages * 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(barrier_base != MAP_FAILED, "mmap");
  for (size_t i = 0; i < barrier_pages; i++) barrier_base[i * 4096] = 1;
  CHECK(mprotect(barrier_base, barrier_pages * 4096, PROT_READ) == 0, "mprotect read-only");
  install(SIGSEGV, barrier_handler, 0, NULL);
  uint64_t start = now_ns();
  for (size_t i = 0; i < barrier_pages; i++) {
    char *target = barrier_base + i * 4096 + 8 + (i % 64) * 8;
    barrier_expected = target;
    *target = (char)(i & 0x7f);  // faults once, retried after the handler's mprotect
  }
  uint64_t elapsed = now_ns() - start;
  int contents_ok = 1;
  for (size_t i = 0; i < barrier_pages; i++) {
    if (barrier_base[i * 4096 + 8 + (i % 64) * 8] != (char)(i & 0x7f)) contents_ok = 0;
    if (barrier_base[i * 4096] != 1) contents_ok = 0;
  }
  CHECK(barrier_faults == pages, "one SIGSEGV per page");
  CHECK(barrier_bad_addr == 0, "si_addr is the faulting address");
  CHECK(barrier_bad_code == 0, "si_code SEGV_ACCERR");
  CHECK(contents_ok, "every write landed after the handler returned");
  printf("signal_delivery: barrier %d SIGSEGVs handled, %llu ns per round trip\n",
         barrier_faults, (unsigned long long)(elapsed / (uint64_t)(pages ? pages : 1)));
  return 0;
}

// --- SEGV_MAPERR for a read of an unmapped page -------------------------------------------
static sigjmp_buf escape;
static volatile siginfo_t last_info;
static volatile int last_signal;
static volatile uintptr_t last_rip;

static void escape_handler(int sig, siginfo_t *info, void *context) {
  last_signal = sig;
  last_info.si_signo = info->si_signo;
  last_info.si_code = info->si_code;
  last_info.si_addr = info->si_addr;
  last_rip = (uintptr_t)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
  siglongjmp(escape, 1);
}

static int mode_maperr(void) {
  char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(page != MAP_FAILED, "mmap");
  CHECK(munmap(page + 4096, 4096) == 0, "munmap");
  install(SIGSEGV, escape_handler, 0, NULL);
  volatile char *hole = page + 4096 + 123;
  if (sigsetjmp(escape, 1) == 0) {
    (void)*hole;
    CHECK(0, "the read of an unmapped page faulted");
  }
  CHECK(last_signal == SIGSEGV && last_info.si_signo == SIGSEGV, "SIGSEGV");
  CHECK(last_info.si_code == SEGV_MAPERR, "si_code SEGV_MAPERR");
  CHECK(last_info.si_addr == (void *)hole, "si_addr is the unmapped address");
  // After siglongjmp(…, 1) the mask is back: a second fault is caught the same way.
  if (sigsetjmp(escape, 1) == 0) (void)*hole;
  CHECK(last_info.si_code == SEGV_MAPERR, "a second SEGV_MAPERR after siglongjmp");
  printf("signal_delivery: maperr si_code %d si_addr exact\n", last_info.si_code);
  return 0;
}

// --- stack overflow caught on an alternate stack ------------------------------------------
static char *alt_base;
static size_t alt_size = 65536;
static volatile int alt_on_stack, alt_reported_onstack;

static void overflow_handler(int sig, siginfo_t *info, void *context) {
  (void)info; (void)context;
  char local;
  alt_on_stack = (&local > alt_base && &local <= alt_base + alt_size);
  stack_t now;
  if (sigaltstack(NULL, &now) == 0) alt_reported_onstack = (now.ss_flags & SS_ONSTACK) != 0;
  last_signal = sig;
  siglongjmp(escape, 1);
}

static int recurse(volatile char *previous, int depth) {
  volatile char frame[1024];
  frame[0] = (char)depth;
  frame[1023] = previous ? previous[0] : 0;
  return recurse(frame, depth + 1) + frame[512];
}

static int mode_altstack(void) {
  alt_base = malloc(alt_size);
  stack_t stack = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
  CHECK(sigaltstack(&stack, NULL) == 0, "sigaltstack");
  install(SIGSEGV, overflow_handler, SA_ONSTACK, NULL);
  for (int round = 0; round < 2; round++) {
    last_signal = 0;
    alt_on_stack = 0;
    if (sigsetjmp(escape, 1) == 0) recurse(NULL, 0);
    CHECK(last_signal == SIGSEGV, "the overflow raised SIGSEGV");
    CHECK(alt_on_stack, "the handler ran on the alternate stack");
    CHECK(alt_reported_onstack, "sigaltstack reports SS_ONSTACK in the handler");
  }
  stack_t after;
  CHECK(sigaltstack(NULL, &after) == 0 && after.ss_flags == 0, "off the stack again");
  // Normal work after: the main stack still grows, memory still works.
  volatile char big[65536];
  memset((char *)big, 7, sizeof big);
  CHECK(big[65535] == 7, "the stack works after siglongjmp");
  char *heap = malloc(1 << 20);
  memset(heap, 1, 1 << 20);
  CHECK(heap[(1 << 20) - 1] == 1, "the heap works after");
  printf("signal_delivery: altstack overflow caught twice, work goes on\n");
  return 0;
}

// --- a handler edits the saved registers -------------------------------------------------
static void edit_handler(int sig, siginfo_t *info, void *context) {
  (void)sig; (void)info;
  ucontext_t *uc = context;
  uc->uc_mcontext.gregs[REG_RIP] += 2;  // over the ud2
  uc->uc_mcontext.gregs[REG_RAX] = 0x1234;
  uc->uc_mcontext.gregs[REG_RCX] = 0xc0ffee;
  uc->uc_mcontext.gregs[REG_R11] = 0xbeef;
  uc->uc_mcontext.gregs[REG_R15] = 0x15;
  uc->uc_mcontext.gregs[REG_EFL] |= 1;  // CF
}

static int mode_registers(void) {
  install(SIGILL, edit_handler, 0, NULL);
  uint64_t rax, rcx, r11, r15;
  uint8_t carry;
  __asm__ volatile(
      "xor %%r15, %%r15\n"
      "mov $1, %%rax\n"
      "clc\n"
      "ud2\n"
      "setc %b4\n"
      "mov %%rcx, %1\n"
      "mov %%r11, %2\n"
      "mov %%r15, %3\n"
      : "=a"(rax), "=r"(rcx), "=r"(r11), "=r"(r15), "=q"(carry)
      :
      : "rcx", "r11", "r15", "cc", "memory");
  CHECK(rax == 0x1234, "RAX from the frame");
  CHECK(rcx == 0xc0ffee, "RCX from the frame (IRETQ, not SYSRET)");
  CHECK(r11 == 0xbeef, "R11 from the frame");
  CHECK(r15 == 0x15, "R15 from the frame");
  CHECK(carry == 1, "CF from the frame's eflags");
  // Frame shape at entry: RSP % 16 == 8, RDI/RSI/RDX as Linux.
  printf("signal_delivery: registers edited by the handler came back\n");
  return 0;
}

// --- a frame whose MXCSR has reserved bits: rt_sigreturn refuses it with SIGSEGV ---------
static void bad_mxcsr_handler(int sig, siginfo_t *info, void *context) {
  (void)sig; (void)info;
  ucontext_t *uc = context;
  uc->uc_mcontext.fpregs->mxcsr = 0xffffffffu;  // bits 16-31 are reserved on every CPU
}

static int mode_bad_mxcsr(void) {
  install(SIGUSR1, bad_mxcsr_handler, 0, NULL);
  printf("signal_delivery: returning with a reserved MXCSR bit set\n");
  raise(SIGUSR1);
  printf("FAIL: rt_sigreturn accepted a reserved MXCSR bit\n");
  return 1;
}

// --- SA_NODEFER, SA_RESETHAND, sa_mask, nested signals -----------------------------------
static volatile int calls, depth, max_depth, order[8], order_count, usr2_blocked_in_usr1;
static volatile uintptr_t entry_rsp_mod16 = 99;

static void nodefer_handler(int sig, siginfo_t *info, void *context) {
  (void)info; (void)context;
  depth++;
  calls++;
  if (depth > max_depth) max_depth = depth;
  if (calls < 3) raise(sig);
  depth--;
}

static void record_handler(int sig, siginfo_t *info, void *context) {
  (void)info; (void)context;
  if (order_count < 8) order[order_count++] = sig;
  if (sig == SIGUSR1) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr2_blocked_in_usr1 = sigismember(&now, SIGUSR2) && sigismember(&now, SIGUSR1);
    raise(SIGUSR2);   // blocked by sa_mask: runs after this handler returns
    raise(SIGTERM);   // not blocked: nested, runs now
    if (order_count < 8) order[order_count++] = -SIGUSR1;
  }
}

static void __attribute__((noinline)) rsp_probe(int sig, siginfo_t *info, void *context) {
  (void)sig; (void)info; (void)context;
  entry_rsp_mod16 = (uintptr_t)__builtin_frame_address(0) % 16;  // RBP = entry RSP - 8
}

static int mode_flags(void) {
  install(SIGUSR1, nodefer_handler, SA_NODEFER, NULL);
  raise(SIGUSR1);
  CHECK(max_depth == 3 && calls == 3, "SA_NODEFER lets the handler nest");
  max_depth = 0;
  calls = 0;
  install(SIGUSR1, nodefer_handler, 0, NULL);
  raise(SIGUSR1);
  CHECK(max_depth == 1 && calls == 3, "without SA_NODEFER the signal waits for the handler's return");

  install(SIGHUP, record_handler, SA_RESETHAND, NULL);
  raise(SIGHUP);
  struct sigaction now;
  sigaction(SIGHUP, NULL, &now);
  CHECK(now.sa_handler == SIG_DFL, "SA_RESETHAND: SIG_DFL after one delivery");

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGUSR2);
  order_count = 0;
  install(SIGUSR1, record_handler, 0, &mask);
  install(SIGUSR2, record_handler, 0, NULL);
  install(SIGTERM, record_handler, 0, NULL);
  raise(SIGUSR1);
  CHECK(usr2_blocked_in_usr1, "sa_mask and the signal itself blocked in the handler");
  CHECK(order_count == 4 && order[0] == SIGUSR1 && order[1] == SIGTERM &&
            order[2] == -SIGUSR1 && order[3] == SIGUSR2,
        "nesting order: USR1, TERM inside it, then USR2 after");
  sigset_t after;
  sigprocmask(SIG_BLOCK, NULL, &after);
  CHECK(!sigismember(&after, SIGUSR1) && !sigismember(&after, SIGUSR2),
        "the mask is restored by rt_sigreturn");

  install(SIGUSR2, rsp_probe, 0, NULL);
  raise(SIGUSR2);
  CHECK(entry_rsp_mod16 == 0, "handler entry RSP % 16 == 8 (frame pointer 16-aligned)");
  printf("signal_delivery: SA_NODEFER, SA_RESETHAND, sa_mask, nesting as Linux\n");
  return 0;
}

// --- the CPU exceptions -----------------------------------------------------------------
static volatile uintptr_t fault_rip;

#define EXPECT_SIGNAL(sig, code, addr, body, what)                                     \
  do {                                                                                 \
    last_signal = 0;                                                                   \
    if (sigsetjmp(escape, 1) == 0) { body; }                                           \
    CHECK(last_signal == (sig), what ": signal");                                      \
    CHECK(last_info.si_code == (code), what ": si_code");                              \
    CHECK((uintptr_t)last_info.si_addr == (uintptr_t)(addr), what ": si_addr");        \
    printf("signal_delivery: %s: signal %d si_code %d\n", what, last_signal,           \
           last_info.si_code);                                                         \
  } while (0)

extern char ud2_at[], div_at[], sse_at[], x87_at[];

static int mode_exceptions(void) {
  for (int sig = 1; sig < 32; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    install(sig, escape_handler, 0, NULL);
  }
  EXPECT_SIGNAL(SIGILL, ILL_ILLOPN, ud2_at,
                __asm__ volatile(".globl ud2_at\nud2_at: ud2"), "#UD");
  EXPECT_SIGNAL(SIGFPE, FPE_INTDIV, div_at,
                __asm__ volatile("xor %%ecx, %%ecx\nmov $1, %%eax\ncltd\n"
                                 ".globl div_at\ndiv_at: idivl %%ecx" ::: "eax", "ecx", "edx"),
                "#DE");
  EXPECT_SIGNAL(SIGTRAP, SI_KERNEL, 0, __asm__ volatile("int3"), "#BP int3");
  EXPECT_SIGNAL(SIGSEGV, SI_KERNEL, 0, __asm__ volatile("hlt"), "#GP hlt");
  EXPECT_SIGNAL(SIGSEGV, SI_KERNEL, 0, __asm__ volatile("int $4"), "#OF int $4");
  EXPECT_SIGNAL(SIGSEGV, SI_KERNEL, 0, __asm__ volatile("int $5"), "#GP int $5");
  uint32_t unmasked_zero_divide = 0x1f80 & ~(1u << 9);  // ZM cleared
  uint32_t default_mxcsr = 0x1f80;
  EXPECT_SIGNAL(SIGFPE, FPE_FLTDIV, sse_at,
                __asm__ volatile("ldmxcsr %0\nxorps %%xmm1, %%xmm1\nmov $1, %%eax\n"
                                 "cvtsi2ss %%eax, %%xmm0\n.globl sse_at\nsse_at: divss %%xmm1, %%xmm0"
                                 :: "m"(unmasked_zero_divide) : "eax", "xmm0", "xmm1"),
                "#XM divss by zero");
  __asm__ volatile("ldmxcsr %0" :: "m"(default_mxcsr));
  uint16_t unmasked_x87 = 0x037f & ~(1u << 2);  // ZM cleared
  EXPECT_SIGNAL(SIGFPE, FPE_FLTDIV, x87_at,
                __asm__ volatile("fninit\nfldcw %0\nfld1\nfldz\nfdivrp\n"
                                 ".globl x87_at\nx87_at: fwait" :: "m"(unmasked_x87)),
                "#MF fdiv by zero");
  __asm__ volatile("fninit");
  for (int sig = 1; sig < 32; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  printf("signal_delivery: exceptions done\n");
  return 0;
}

// --- a blocking read interrupted: EINTR, or restarted with SA_RESTART ------------------
static volatile int usr1_count;
static void count_handler(int sig, siginfo_t *info, void *context) {
  (void)sig; (void)info; (void)context;
  usr1_count++;
}

static void sleep_ms(int ms) {
  struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

static int interrupted_read(int flags, ssize_t *got, int *error) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  install(SIGUSR1, count_handler, flags, NULL);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    sleep_ms(200);
    kill(parent, SIGUSR1);
    sleep_ms(200);
    (void)!write(fds[1], "x", 1);
    _exit(0);
  }
  char byte;
  errno = 0;
  *got = read(fds[0], &byte, 1);
  *error = errno;
  int status;
  waitpid(child, &status, 0);
  close(fds[0]);
  close(fds[1]);
  return 0;
}

static int mode_restart(void) {
  ssize_t got;
  int error;
  usr1_count = 0;
  interrupted_read(0, &got, &error);
  CHECK(usr1_count == 1, "the handler ran during the read");
  CHECK(got == -1 && error == EINTR, "without SA_RESTART the read fails with EINTR");
  printf("signal_delivery: read without SA_RESTART: %zd errno %d\n", got, error);
  usr1_count = 0;
  interrupted_read(SA_RESTART, &got, &error);
  CHECK(usr1_count == 1, "the handler ran during the restarted read");
  CHECK(got == 1, "with SA_RESTART the read is restarted and gets the byte");
  printf("signal_delivery: read with SA_RESTART: %zd\n", got);
  return 0;
}

// --- sigaltstack's errors ---------------------------------------------------------------
// The system call itself: musl's wrapper checks ENOMEM and some flags before the kernel does.
static int raw_sigaltstack(const stack_t *new, stack_t *old) {
  return (int)syscall(SYS_sigaltstack, new, old);
}

static volatile int inner_eperm, inner_onstack;
static void altstack_query_handler(int sig, siginfo_t *info, void *context) {
  (void)sig; (void)info; (void)context;
  stack_t now, other = {.ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0};
  inner_onstack = sigaltstack(NULL, &now) == 0 && (now.ss_flags & SS_ONSTACK);
  inner_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static int mode_sigaltstack(void) {
  stack_t old;
  CHECK(raw_sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE, "initially SS_DISABLE");
  char *memory = malloc(65536);
  stack_t bad = {.ss_sp = memory, .ss_size = 65536, .ss_flags = 0x10};
  errno = 0;
  CHECK(raw_sigaltstack(&bad, NULL) == -1 && errno == EINVAL, "EINVAL for unknown flags");
  stack_t small = {.ss_sp = memory, .ss_size = 2047, .ss_flags = 0};
  errno = 0;
  CHECK(raw_sigaltstack(&small, NULL) == -1 && errno == ENOMEM, "ENOMEM below MINSIGSTKSZ");
  small.ss_size = 2048;
  CHECK(raw_sigaltstack(&small, NULL) == 0, "MINSIGSTKSZ accepted");
  stack_t good = {.ss_sp = memory, .ss_size = 65536, .ss_flags = 0};
  CHECK(raw_sigaltstack(&good, &old) == 0 && old.ss_sp == memory && old.ss_size == 2048 &&
            old.ss_flags == 0,
        "the old setting reported");
  errno = 0;
  CHECK(raw_sigaltstack((stack_t *)8, NULL) == -1 && errno == EFAULT, "EFAULT for a bad pointer");
  install(SIGUSR1, altstack_query_handler, SA_ONSTACK, NULL);
  raise(SIGUSR1);
  CHECK(inner_onstack, "SS_ONSTACK reported on the stack");
  CHECK(inner_eperm, "EPERM for a change while on it");
  stack_t autodisarm = {.ss_sp = memory, .ss_size = 65536, .ss_flags = SS_AUTODISARM};
  CHECK(raw_sigaltstack(&autodisarm, NULL) == 0, "SS_AUTODISARM accepted");
  CHECK(raw_sigaltstack(NULL, &old) == 0 && (unsigned)old.ss_flags == SS_AUTODISARM,
        "SS_AUTODISARM reported back");
  stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
  CHECK(raw_sigaltstack(&off, &old) == 0, "SS_DISABLE");
  CHECK(raw_sigaltstack(NULL, &old) == 0 && old.ss_flags == SS_DISABLE && old.ss_size == 0,
        "disabled reads back SS_DISABLE, size 0");
  printf("signal_delivery: sigaltstack errors as Linux\n");
  return 0;
}

// --- kill of a caught signal from another process runs the handler --------------------
static volatile int sender_code = 99, sender_pid, chld_code, chld_pid, chld_status;
static void sender_handler(int sig, siginfo_t *info, void *context) {
  (void)context;
  if (sig == SIGCHLD) {
    chld_code = info->si_code;
    chld_pid = info->si_pid;
    chld_status = info->si_status;
    return;
  }
  usr1_count++;
  sender_code = info->si_code;
  sender_pid = info->si_pid;
}

static int mode_kill(void) {
  usr1_count = 0;
  install(SIGUSR1, sender_handler, 0, NULL);
  install(SIGCHLD, sender_handler, 0, NULL);
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    kill(parent, SIGUSR1);
    _exit(0);
  }
  int status;
  while (waitpid(child, &status, 0) == -1 && errno == EINTR) {}
  for (int i = 0; i < 100 && usr1_count == 0; i++) sleep_ms(10);
  CHECK(usr1_count == 1, "a child's kill ran the parent's handler");
  CHECK(sender_code == SI_USER && sender_pid == child, "si_code SI_USER, si_pid the child");
  CHECK(chld_code == CLD_EXITED && chld_pid == child && chld_status == 0,
        "SIGCHLD: CLD_EXITED, the child's pid and status");
  kill(getpid(), SIGUSR1);
  CHECK(usr1_count == 2, "kill to itself ran the handler before kill returned");
  printf("signal_delivery: kill ran the handler %d times\n", usr1_count);
  return 0;
}

// --- a fault while delivering: the stack is unmapped -------------------------------------
static int mode_bad_stack(void) {
  install(SIGUSR1, count_handler, 0, NULL);
  printf("signal_delivery: delivering with RSP on an unmapped page\n");
  fflush(stdout);
  char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  long pid = getpid();
  long result;
  __asm__ volatile(
      "mov %%rsp, %%r12\n"
      "mov %[sp], %%rsp\n"
      "mov $62, %%eax\n"  // kill(getpid(), SIGUSR1): delivered on the way back
      "syscall\n"
      "mov %%r12, %%rsp\n"
      : "=a"(result)
      : [sp] "r"(page + 4096), "D"(pid), "S"((long)SIGUSR1)
      : "rcx", "r11", "r12", "memory");
  printf("FAIL: survived a signal frame on an unmapped stack (%ld)\n", result);
  return 1;
}

static int run_mode(const char *mode, int count) {
  if (!strcmp(mode, "barrier")) return mode_barrier(count);
  if (!strcmp(mode, "maperr")) return mode_maperr();
  if (!strcmp(mode, "altstack")) return mode_altstack();
  if (!strcmp(mode, "registers")) return mode_registers();
  if (!strcmp(mode, "flags")) return mode_flags();
  if (!strcmp(mode, "exceptions")) return mode_exceptions();
  if (!strcmp(mode, "sigaltstack")) return mode_sigaltstack();
  if (!strcmp(mode, "kill")) return mode_kill();
  if (!strcmp(mode, "restart")) return mode_restart();
  if (!strcmp(mode, "bad-stack")) return mode_bad_stack();
  if (!strcmp(mode, "bad-mxcsr")) return mode_bad_mxcsr();
  printf("FAIL: unknown mode %s\n", mode);
  return 1;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *mode = argc > 1 ? argv[1] : "all";
  int count = argc > 2 ? atoi(argv[2]) : 2000;
  if (strcmp(mode, "all") == 0) {  // each mode in a child of its own: a fresh signal state
    static const char *modes[] = {"barrier", "maperr", "altstack", "registers", "flags",
                                  "exceptions", "sigaltstack", "kill", "restart"};
    int failed = 0;
    for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
      pid_t child = fork();
      if (child == 0) _exit(run_mode(modes[i], count) || failures ? 1 : 0);
      int status;
      waitpid(child, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    printf("signal_delivery: all: %d modes failed\n", failed);
    return failed ? 1 : 0;
  }
  run_mode(mode, count);
  printf("signal_delivery: %s: %d failures\n", mode, failures);
  return failures ? 1 : 0;
}
