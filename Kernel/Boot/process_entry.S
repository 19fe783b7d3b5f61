// Entering and leaving ring 3 (SDM Vol. 3A §5.8.8 SYSCALL/SYSRET, §6.14 IRETQ).
//
// user_mode_enter saves the kernel's callee-saved registers and stack pointer, then IRETQs to
// the program's entry point with every general register zeroed and interrupts enabled (ring 3
// always runs with IF set: POPF at CPL 3 with IOPL 0 cannot clear it). The program comes back
// only through SYSCALL (syscall_entry), an exception or an interrupt (trap_entry.S, on
// TSS.RSP0 = the process kernel stack below). When the process ends, user_mode_leave restores
// the saved kernel stack and returns from user_mode_enter with the exit status: the kernel
// continues as if the process were a function call.

#define USER_DATA_SELECTOR  0x1b   // GDT slot 3 | RPL 3 (SegmentSelectors.swift)
#define USER_CODE_SELECTOR  0x23   // GDT slot 4 | RPL 3
#define USER_RFLAGS         0x202  // IF (bit 9): the timer interrupts user code; bit 1 reserved
#define SYSCALL_VECTOR      256    // trap_frame.vector for a system call (not an exception)
#define PROCESS_KERNEL_STACK_SIZE 65536

  .text
  // uint64_t user_mode_enter(uint64_t entry, uint64_t stack_pointer)
  .global user_mode_enter
user_mode_enter:
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, kernel_resume_stack(%rip)
  pushq $USER_DATA_SELECTOR
  pushq %rsi
  pushq $USER_RFLAGS
  pushq $USER_CODE_SELECTOR
  pushq %rdi
  xorl %eax, %eax
  movw %ax, %fs
  movw %ax, %gs
  xorl %ebx, %ebx
  xorl %ecx, %ecx
  xorl %edx, %edx
  xorl %esi, %esi
  xorl %edi, %edi
  xorl %ebp, %ebp
  xorl %r8d, %r8d
  xorl %r9d, %r9d
  xorl %r10d, %r10d
  xorl %r11d, %r11d
  xorl %r12d, %r12d
  xorl %r13d, %r13d
  xorl %r14d, %r14d
  xorl %r15d, %r15d
  iretq

  // void user_mode_leave(uint64_t status) — never returns to its caller
  .global user_mode_leave
user_mode_leave:
  movq kernel_resume_stack(%rip), %rsp
  movq %rdi, %rax
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
  ret

  // The LSTAR target. SFMASK has cleared IF, DF, TF and AC; RCX holds the user RIP, R11 the
  // user RFLAGS. Builds a struct trap_frame on the process kernel stack (vector 256), calls
  // kernel_syscall_dispatch, and returns with SYSRETQ (the frame's RIP, RFLAGS and RSP).
  .global syscall_entry
syscall_entry:
  movq %rsp, syscall_user_stack(%rip)
  leaq process_kernel_stack_top(%rip), %rsp
  pushq $USER_DATA_SELECTOR
  pushq syscall_user_stack(%rip)
  pushq %r11
  pushq $USER_CODE_SELECTOR
  pushq %rcx
  pushq $0
  pushq $SYSCALL_VECTOR
  pushq %rax
  pushq %rbx
  pushq %rcx
  pushq %rdx
  pushq %rsi
  pushq %rdi
  pushq %rbp
  pushq %r8
  pushq %r9
  pushq %r10
  pushq %r11
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, %rdi
  call kernel_syscall_dispatch
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %r11
  popq %r10
  popq %r9
  popq %r8
  popq %rbp
  popq %rdi
  popq %rsi
  popq %rdx
  popq %rcx
  popq %rbx
  popq %rax
  addq $16, %rsp           // vector and error code
  popq %rcx                // user RIP (canonical: it follows the SYSCALL instruction)
  addq $8, %rsp            // CS
  popq %r11                // user RFLAGS
  popq %rsp                // user RSP; SS is implied by STAR
  sysretq

  // uint64_t user_copy(void *destination, const void *source, uint64_t length)
  // Copies between kernel and user memory with SMAP's guard lowered: 0 when done, 1 when a
  // fault the page trap could not resolve stopped it (the caller answers EFAULT).
  .global user_copy
user_copy:
  cmpb $0, smap_is_enabled(%rip)
  je 1f
  stac
1:
  movq %rdx, %rcx
user_copy_access:
  rep movsb
  xorl %eax, %eax
  jmp 2f
user_copy_recovery:
  movl $1, %eax
2:
  cmpb $0, smap_is_enabled(%rip)
  je 3f
  clac
3:
  ret

  // uint64_t user_copy_recovery_for(uint64_t rip)
  .global user_copy_recovery_for
user_copy_recovery_for:
  leaq user_copy_access(%rip), %rax
  cmpq %rax, %rdi
  jne 1f
  leaq user_copy_recovery(%rip), %rax
  ret
1:
  xorl %eax, %eax
  ret

  // void user_fpu_state_reset(void)
  // FXRSTOR of the power-on FPU/SSE state (FCW 0x37f, MXCSR 0x1f80, every register zero), so
  // no x87 or XMM value of one process is visible to the next. The kernel itself never uses
  // the FPU: tools/check-kernel-instructions allows this one function.
  .global user_fpu_state_reset
user_fpu_state_reset:
  fxrstor64 initial_fpu_state(%rip)
  ret

  // uint64_t process_kernel_stack_top_address(void)
  .global process_kernel_stack_top_address
process_kernel_stack_top_address:
  leaq process_kernel_stack_top(%rip), %rax
  ret

  // uint64_t process_kernel_stack_guard_address(void)
  .global process_kernel_stack_guard_address
process_kernel_stack_guard_address:
  leaq process_kernel_stack_guard(%rip), %rax
  ret

  // The FXSAVE image (SDM Vol. 1 §10.5.1, table 10-2) user_fpu_state_reset loads.
#define FXSAVE_AREA_SIZE 512
#define FXSAVE_MXCSR_OFFSET 24
  .section .rodata
  .balign 16
initial_fpu_state:
  .word 0x037f                         // FCW: every exception masked, extended precision
  .skip FXSAVE_MXCSR_OFFSET - 2
  .long 0x1f80                         // MXCSR: every exception masked, round to nearest
  .skip FXSAVE_AREA_SIZE - FXSAVE_MXCSR_OFFSET - 4

  .bss
  .balign 8
kernel_resume_stack:
  .quad 0
syscall_user_stack:
  .quad 0
  // The process kernel stack: SYSCALL switches to it, and TSS.RSP0 points at its top for
  // exceptions from ring 3. One process runs at a time, so one stack serves each in turn.
  // The page below it is a guard: UserMode.install unmaps it, so an overflow faults (and the
  // double-fault handler reports it on its own IST stack) instead of corrupting .bss.
  .section .bss.process_kernel_stack, "aw", @nobits
  .balign 4096
  .global process_kernel_stack_guard
process_kernel_stack_guard:
  .skip 4096
  .skip PROCESS_KERNEL_STACK_SIZE
process_kernel_stack_top:
