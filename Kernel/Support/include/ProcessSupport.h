// Ring-3 entry and exit, the system-call entry and the bulk user-copy routine
// (Kernel/Boot/process_entry.S), plus the MSR numbers of SYSCALL/SYSRET and the FS base.
#ifndef PROCESS_SUPPORT_H
#define PROCESS_SUPPORT_H

#include <stdint.h>

/// Saves the callee-saved registers and RSP at `save_stack_pointer`, then resumes the thread
/// whose saved RSP is `next_stack_pointer` (Kernel/Scheduler/Scheduler.swift).
void thread_switch(uint64_t *save_stack_pointer, uint64_t next_stack_pointer);
/// Where a new thread's first switch returns: pops the trap frame above it and IRETQs.
void thread_entry_trampoline(void);
/// The address a new thread's first switch returns to.
static inline uint64_t thread_entry_trampoline_address(void) {
  return (uint64_t)(uintptr_t)&thread_entry_trampoline;
}
/// Switches to the stack whose top is `stack_top` and recurses until its guard page faults.
_Noreturn void kernel_stack_overflow_provoke(uint64_t stack_top);
/// DS/ES/FS/GS = null, once before the first program.
void user_segment_selectors_reset(void);
/// One CPU's words for the SYSCALL entry: the running thread's kernel stack top, and the
/// scratch word that holds the user RSP while the entry switches stacks.
struct processor_entry_state {
  uint64_t kernel_stack_top;
  uint64_t user_stack_scratch;
};
/// The boot CPU's (a second CPU would have its own, reached through GS after SWAPGS).
extern struct processor_entry_state boot_processor_entry;
static inline void processor_entry_set_kernel_stack(uint64_t top) {
  boot_processor_entry.kernel_stack_top = top;
}
/// The LSTAR target.
void syscall_entry(void);
/// The address LSTAR must hold.
static inline uint64_t syscall_entry_address(void) { return (uint64_t)(uintptr_t)&syscall_entry; }
/// The CSTAR target: a SYSCALL from compatibility mode answers -ENOSYS (no 32-bit system
/// calls here, as Linux without IA32_EMULATION), returning with SYSRETL.
void compatibility_syscall_refuse(void);
static inline uint64_t compatibility_syscall_refuse_address(void) {
  return (uint64_t)(uintptr_t)&compatibility_syscall_refuse;
}
/// The IRETQ of trap_frame_return (trap_entry.S): the one instruction that returns a trap frame
/// to ring 3, where a bad user CS or SS faults in the kernel (`BadInterruptReturn`).
extern char trap_frame_return_iret[];
static inline uint64_t trap_frame_return_iret_address(void) {
  return (uint64_t)(uintptr_t)trap_frame_return_iret;
}
/// Copies `length` bytes with STAC/CLAC: 0 when done, 1 when an unresolvable fault stopped it.
uint64_t user_copy(void *destination, const void *source, uint64_t length);
/// When `rip` is user_copy's access instruction, its recovery address, else 0.
uint64_t user_copy_recovery_for(uint64_t rip);
/// FXSAVE64 / FXRSTOR64 of a thread's 512-byte, 16-aligned FPU/SSE area; and the power-on
/// state written into `area` (for a new program).
void user_fpu_state_save(void *area);
void user_fpu_state_restore(const void *area);
void user_fpu_state_initial(void *area);

/// RDRAND: 1 and a random word when the CPU delivered one, 0 otherwise.
static inline int random_word_read(uint64_t *value) {
  unsigned char ok;
  __asm__ volatile("rdrand %0; setc %1" : "=r"(*value), "=qm"(ok) : : "cc");
  return ok;
}

#endif
