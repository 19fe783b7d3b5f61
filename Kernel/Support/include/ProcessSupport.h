// Ring-3 entry and exit, the system-call entry and the bulk user-copy routine
// (Kernel/Boot/process_entry.S), plus the MSR numbers of SYSCALL/SYSRET and the FS base.
#ifndef PROCESS_SUPPORT_H
#define PROCESS_SUPPORT_H

#include <stdint.h>

/// IRETQs to `entry` in ring 3 with RSP = `stack_pointer`; returns the status passed to
/// user_mode_leave when the process ends.
uint64_t user_mode_enter(uint64_t entry, uint64_t stack_pointer);
/// Abandons the current process's kernel context and returns `status` from user_mode_enter.
_Noreturn void user_mode_leave(uint64_t status);
/// The LSTAR target.
void syscall_entry(void);
/// The address LSTAR must hold.
static inline uint64_t syscall_entry_address(void) { return (uint64_t)(uintptr_t)&syscall_entry; }
/// Copies `length` bytes with STAC/CLAC: 0 when done, 1 when an unresolvable fault stopped it.
uint64_t user_copy(void *destination, const void *source, uint64_t length);
/// When `rip` is user_copy's access instruction, its recovery address, else 0.
uint64_t user_copy_recovery_for(uint64_t rip);
/// Loads the power-on FPU/SSE state (FXRSTOR) before a new process starts.
void user_fpu_state_reset(void);
/// The top of the process kernel stack (TSS.RSP0 and the system-call stack).
uint64_t process_kernel_stack_top_address(void);
/// The guard page below the process kernel stack (unmapped at run time).
uint64_t process_kernel_stack_guard_address(void);

/// RDRAND: 1 and a random word when the CPU delivered one, 0 otherwise.
static inline int random_word_read(uint64_t *value) {
  unsigned char ok;
  __asm__ volatile("rdrand %0; setc %1" : "=r"(*value), "=qm"(ok) : : "cc");
  return ok;
}

#endif
