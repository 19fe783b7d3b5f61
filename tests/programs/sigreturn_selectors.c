/* rt_sigreturn restores the CS and SS of the frame (Linux 6.1's restore_sigcontext: RPL forced
 * to 3; without UC_STRICT_RESTORE_SS a return to 64-bit code gets a valid SS), and a selector
 * the IRET back to user mode refuses is the process's fault: the #GP raised in the kernel
 * becomes a SIGSEGV (SI_KERNEL) whose frame holds the bad selectors, trapno 13 and the
 * selector as the error code (fixup_bad_iret). As the selftest x86/sigreturn.c does, a
 * SIGUSR1 handler edits its frame and returns; a SIGSEGV/SIGTRAP handler (on an alternate
 * stack) records what came and siglongjmps back. Modes:
 *   checks   (default) every case below; "sigreturn_selectors: all N checks passed", status 0
 *   kill     SS = a code segment with SIGSEGV at SIG_DFL: killed by SIGSEGV (139)
 * Linux's selectors: __USER_CS 0x33, __USER_DS 0x2b, __USER32_CS 0x23, __KERNEL_CS 0x10. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "check.h"

#define USER_CS 0x33
#define USER_DS 0x2b
#define USER32_CS 0x23
#define KERNEL_CS 0x10
#define LDT_SELECTOR_8 0x47 /* LDT index 8, RPL 3: no LDT exists */
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define TRAP_BP 3
#define TRAP_GP 13
#define INT3 0xcc
#define COMPAT_CODE ((void *)0x30000000) /* below 4 GiB: reachable from a 32-bit CS */

/* The selectors in uc_mcontext: cs, gs, fs, ss (16 bits each) in gregs[REG_CSGSFS]. */
struct selectors {
  unsigned short cs, gs, fs, ss;
};
static struct selectors *selectors_of(ucontext_t *uc) {
  return (struct selectors *)&uc->uc_mcontext.gregs[REG_CSGSFS];
}
static unsigned short hardware_cs(void) {
  unsigned short cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  return cs;
}
static unsigned short hardware_ss(void) {
  unsigned short ss;
  __asm__ volatile("mov %%ss, %0" : "=r"(ss));
  return ss;
}

/* What the SIGUSR1 handler puts in its frame. */
static volatile int want_cs = -1, want_ss = -1, clear_strict;
static volatile uint64_t want_rip;
/* What it saw. */
static volatile unsigned long usr1_flags;
static volatile unsigned short usr1_cs, usr1_ss;
static volatile uint64_t usr1_rip;
/* What the fault's handler saw. */
static volatile int fault_signal, fault_code;
static volatile long fault_trapno, fault_err;
static volatile unsigned long fault_flags;
static volatile unsigned short fault_cs, fault_ss, fault_hw_ss;
static volatile uint64_t fault_rip;
static sigjmp_buf back;

static void on_usr1(int sig, siginfo_t *info, void *context) {
  (void)sig;
  (void)info;
  ucontext_t *uc = context;
  struct selectors *s = selectors_of(uc);
  usr1_flags = uc->uc_flags;
  usr1_cs = s->cs;
  usr1_ss = s->ss;
  usr1_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
  if (want_cs >= 0) s->cs = (unsigned short)want_cs;
  if (want_ss >= 0) s->ss = (unsigned short)want_ss;
  if (want_rip) uc->uc_mcontext.gregs[REG_RIP] = (greg_t)want_rip;
  if (clear_strict) uc->uc_flags &= ~UC_STRICT_RESTORE_SS;
}

static void on_fault(int sig, siginfo_t *info, void *context) {
  ucontext_t *uc = context;
  fault_signal = sig;
  fault_code = info->si_code;
  fault_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
  fault_err = uc->uc_mcontext.gregs[REG_ERR];
  fault_flags = uc->uc_flags;
  fault_cs = selectors_of(uc)->cs;
  fault_ss = selectors_of(uc)->ss;
  fault_rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
  fault_hw_ss = hardware_ss();
  siglongjmp(back, 1);
}

static void install(int sig, void (*handler)(int, siginfo_t *, void *), int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO | flags;
  sigaction(sig, &action, NULL);
}

/* Raises SIGUSR1 with the given edits; 1 when a fault's handler ran, 0 when raise returned. */
static int attempt(int cs, int ss, uint64_t rip, int clear) {
  want_cs = cs;
  want_ss = ss;
  want_rip = rip;
  clear_strict = clear;
  fault_signal = 0;
  if (sigsetjmp(back, 1)) return 1;
  raise(SIGUSR1);
  return 0;
}

/* A refused selector: SIGSEGV, SI_KERNEL, #GP with `err`, the frame holding `cs`/`ss` (RPL 3)
 * and the RIP the return was going to; the handler itself runs on __USER_DS. `other_err` is a
 * second error code the CPU may give (-1: none). */
static void expect_gp_either(const char *what, int cs, int ss, long err, long other_err) {
  int faulted = attempt(cs, ss, 0, 0);
  CHECK(faulted, "%s: rt_sigreturn returned instead of faulting", what);
  if (!faulted) return;
  CHECK(fault_signal == SIGSEGV, "%s: signal %d, not SIGSEGV", what, fault_signal);
  CHECK(fault_code == SI_KERNEL, "%s: si_code %d, not SI_KERNEL", what, fault_code);
  CHECK(fault_trapno == TRAP_GP, "%s: trapno %ld, not 13 (#GP)", what, fault_trapno);
  CHECK(fault_err == err || fault_err == other_err, "%s: error code %#lx, not %#lx", what,
        fault_err, err);
  unsigned short saved_cs = cs >= 0 ? (unsigned short)(cs | 3) : USER_CS;
  unsigned short saved_ss = ss >= 0 ? (unsigned short)(ss | 3) : USER_DS;
  CHECK(fault_cs == saved_cs, "%s: frame CS %#x, not %#x", what, fault_cs, saved_cs);
  CHECK(fault_ss == saved_ss, "%s: frame SS %#x, not %#x", what, fault_ss, saved_ss);
  CHECK(fault_rip == usr1_rip, "%s: frame RIP %#llx, not the return's %#llx", what,
        (unsigned long long)fault_rip, (unsigned long long)usr1_rip);
  CHECK(fault_hw_ss == USER_DS, "%s: the handler runs with SS %#x", what, fault_hw_ss);
  printf("sigreturn_selectors: %s: SIGSEGV, #GP, frame CS %#x SS %#x\n", what, fault_cs,
         fault_ss);
}

static void check_frames(void) {
  CHECK(hardware_cs() == USER_CS, "CS is %#x", hardware_cs());
  CHECK(hardware_ss() == USER_DS, "SS is %#x", hardware_ss());
  CHECK(!attempt(-1, -1, 0, 0), "a plain rt_sigreturn faulted");
  CHECK(usr1_cs == USER_CS && usr1_ss == USER_DS, "frame selectors %#x %#x", usr1_cs, usr1_ss);
  CHECK((usr1_flags & (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS)) ==
            (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS),
        "uc_flags %#lx lacks UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS", usr1_flags);
  printf("sigreturn_selectors: 64-bit frame: CS %#x SS %#x, uc_flags SIGCONTEXT_SS|STRICT_RESTORE_SS\n",
         usr1_cs, usr1_ss);
}

static void expect_gp(const char *what, int cs, int ss, long err) {
  expect_gp_either(what, cs, ss, err, -1);
}

static void check_refused(void) {
  expect_gp("SS = 64-bit code", -1, USER_CS, USER_CS & ~3);
  /* With no LDT, QEMU's IRET reports the selector (Linux 6.1 under TCG, as its sigreturn
   * selftest shows: #GP(0x44)); the host's CPU reports 0. */
  expect_gp_either("SS = LDT index 8", -1, LDT_SELECTOR_8, LDT_SELECTOR_8 & ~3, 0);
  expect_gp("SS = null, strict", -1, 0, 0);
  expect_gp("CS = data", USER_DS, -1, USER_DS & ~3);
  expect_gp("CS = kernel code", KERNEL_CS, -1, KERNEL_CS);
  expect_gp("CS = null", 0, -1, 0);
  /* A handler that fixed nothing gets the same fault again: twice in a row still works. */
  expect_gp("SS = 64-bit code again", -1, USER_CS, USER_CS & ~3);
}

/* Without UC_STRICT_RESTORE_SS a return to 64-bit code with a bad SS gets __USER_DS. */
static void check_nonstrict(void) {
  int faulted = attempt(-1, 0, 0, 1);
  CHECK(!faulted, "non-strict SS = 0 faulted: signal %d", fault_signal);
  CHECK(hardware_ss() == USER_DS, "after a non-strict return SS is %#x", hardware_ss());
  printf("sigreturn_selectors: SS = null without UC_STRICT_RESTORE_SS: returned, SS %#x\n",
         hardware_ss());
}

/* A 32-bit CS is honoured: compatibility-mode code runs (an int3 page), its SIGTRAP frame has
 * CS 0x23 and no UC_STRICT_RESTORE_SS. */
static void check_compat(void) {
  unsigned char *page = mmap(COMPAT_CODE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  CHECK(page == COMPAT_CODE, "mmap at %p: %p", COMPAT_CODE, (void *)page);
  if (page != COMPAT_CODE) return;
  memset(page, INT3, 4096);
  int faulted = attempt(USER32_CS, -1, (uint64_t)(uintptr_t)page, 0);
  CHECK(faulted, "the 32-bit return came back without a signal");
  if (!faulted) return;
  CHECK(fault_signal == SIGTRAP, "32-bit int3: signal %d, not SIGTRAP", fault_signal);
  CHECK(fault_trapno == TRAP_BP, "32-bit int3: trapno %ld", fault_trapno);
  CHECK(fault_cs == USER32_CS, "32-bit int3: frame CS %#x", fault_cs);
  CHECK(fault_rip == (uint64_t)(uintptr_t)page + 1, "32-bit int3: RIP %#llx",
        (unsigned long long)fault_rip);
  CHECK((fault_flags & (UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS)) == UC_SIGCONTEXT_SS,
        "32-bit int3: uc_flags %#lx", fault_flags);
  printf("sigreturn_selectors: CS %#x: int3 in 32-bit code, SIGTRAP, uc_flags SIGCONTEXT_SS\n",
         fault_cs);
}

int main(int argc, char **argv) {
  static char alternate[1 << 16];
  stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate};
  sigaltstack(&stack, NULL);
  install(SIGUSR1, on_usr1, 0);
  if (argc > 1 && strcmp(argv[1], "kill") == 0) {
    attempt(-1, USER_CS, 0, 0);
    printf("FAIL: survived SS = %#x\n", USER_CS);
    return 1;
  }
  install(SIGSEGV, on_fault, SA_ONSTACK);
  install(SIGTRAP, on_fault, SA_ONSTACK);
  check_frames();
  check_refused();
  check_nonstrict();
  check_compat();
  if (failures) return 1;
  printf("sigreturn_selectors: all %d checks passed\n", checks);
  return 0;
}
