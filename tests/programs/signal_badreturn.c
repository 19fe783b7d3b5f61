/* A bad rt_sigreturn frame is a forced SIGSEGV (Linux 6.1's signal_fault → force_sig, or for a
 * non-canonical RIP the IRET's #GP): a SIGSEGV handler that is installed and not blocked runs;
 * blocked or SIG_DFL, the process is killed (139). Modes:
 *   rip       a SIGUSR1 handler stores a non-canonical RIP in uc_mcontext and returns; the
 *             SIGSEGV handler records si_code, si_addr, the context's RIP and siglongjmps out
 *             (the registers were restored: the context's RIP is the bad one);
 *   mxcsr     the same with reserved MXCSR bits in the frame's fpstate;
 *   blocked   rip, with SIGSEGV blocked: killed (139).
 * Status 0 with "signal_badreturn: all N checks passed"; 1 with a FAIL line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#include "check.h"

#define BAD_RIP 0x8000000000000000ull

static sigjmp_buf back;
static volatile int segv_code = -1, use_mxcsr;
static volatile uintptr_t segv_addr = 1;
static volatile uint64_t segv_rip;

static void corrupt(int sig, siginfo_t *info, void *context) {
  (void)sig; (void)info;
  ucontext_t *uc = context;
  if (use_mxcsr) uc->uc_mcontext.fpregs->mxcsr = 0xffffffffu; /* bits 16-31 reserved */
  else uc->uc_mcontext.gregs[REG_RIP] = (greg_t)BAD_RIP;
}

static void on_segv(int sig, siginfo_t *info, void *context) {
  (void)sig;
  ucontext_t *uc = context;
  segv_code = info->si_code;
  segv_addr = (uintptr_t)info->si_addr;
  segv_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
  siglongjmp(back, 1);
}

static void install(int sig, void (*handler)(int, siginfo_t *, void *)) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  sigaction(sig, &action, NULL);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *mode = argc > 1 ? argv[1] : "rip";
  use_mxcsr = strcmp(mode, "mxcsr") == 0;
  install(SIGUSR1, corrupt);
  install(SIGSEGV, on_segv);
  if (strcmp(mode, "blocked") == 0) {
    sigset_t segv;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    sigprocmask(SIG_BLOCK, &segv, NULL);
  }
  if (sigsetjmp(back, 1) == 0) {
    raise(SIGUSR1);
    printf("FAIL: rt_sigreturn took the bad frame (%s)\n", mode);
    return 1;
  }
  printf("signal_badreturn: SIGSEGV si_code %d si_addr %#lx rip %#llx\n", segv_code,
         (unsigned long)segv_addr, (unsigned long long)segv_rip);
  CHECK(strcmp(mode, "blocked") != 0, "a blocked SIGSEGV was delivered");
  CHECK(segv_code == 0x80, "si_code SI_KERNEL: %d", segv_code);
  CHECK(segv_addr == 0, "si_addr 0: %#lx", (unsigned long)segv_addr);
  if (!use_mxcsr) CHECK(segv_rip == BAD_RIP, "the context's RIP is the bad one: %#llx",
                        (unsigned long long)segv_rip);
  if (failures) printf("signal_badreturn: %d of %d checks failed\n", failures, checks);
  else printf("signal_badreturn: all %d checks passed\n", checks);
  return failures != 0;
}
