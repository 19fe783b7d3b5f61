// Entering and leaving ring 3 (SDM Vol. 3A §5.8.8 SYSCALL/SYSRET, §6.14 IRETQ), and switching
// between kernel threads (Kernel/Scheduler/).
//
// Every thread has its own kernel stack (Kernel/Scheduler/KernelStack.swift). A thread enters
// ring 3 for the first time through thread_entry_trampoline, which pops the trap frame its
// creator built on its stack and IRETQs (trap_entry.S's trap_frame_return; a new program:
// entry point, every register zero; a forked child: a copy of the parent's system-call frame
// with RAX = 0). Ring 3 always runs with IF set (POPF at CPL 3 with IOPL 0 cannot clear it).
// The program comes back only
// through SYSCALL (syscall_entry), an exception or an interrupt (trap_entry.S, on TSS.RSP0 =
// the running thread's kernel stack). thread_switch saves the callee-saved registers and RSP
// of one thread and resumes another where it called thread_switch itself.

#define USER_DATA_SELECTOR  0x2b   // GDT slot 5 | RPL 3: __USER_DS (SegmentSelectors.swift)
#define USER_CODE_SELECTOR  0x33   // GDT slot 6 | RPL 3: __USER_CS
#define LINUX_ENOSYS        38     // asm-generic/errno.h
#define SYSCALL_VECTOR      256    // trap_frame.vector for a system call (not an exception)
// Offsets in struct trap_frame (KernelSupport.h): r15 first, then up to ss.
#define FRAME_R11     32
#define FRAME_RCX     96
#define FRAME_RIP     136
#define FRAME_CS      144
#define FRAME_RFLAGS  152
#define FRAME_SS      168
#define RFLAGS_TF     (1 << 8)
#define RFLAGS_RF     (1 << 16)
// struct processor_entry_state (ProcessSupport.h): the per-CPU words the SYSCALL entry uses.
#define ENTRY_KERNEL_STACK_TOP   0
#define ENTRY_USER_STACK_SCRATCH 8

  .text
  // void thread_switch(uint64_t *save_stack_pointer, uint64_t next_stack_pointer)
  // Called with interrupts off. The System V ABI lets the caller assume only the callee-saved
  // registers (RBX, RBP, R12–R15) and RSP survive a call: those are all a thread's kernel
  // context needs. The FPU state and FS base are user state, switched by the scheduler.
  .global thread_switch
thread_switch:
  pushq %rbx
  pushq %rbp
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbp
  popq %rbx
  ret

  // Where a new thread's first thread_switch returns to: RSP points at the trap frame its
  // creator wrote at the top of its stack. scheduler_thread_started finishes the switch (and
  // may end the thread if it was killed before it ever ran); then the frame goes to ring 3.
  .global thread_entry_trampoline
thread_entry_trampoline:
  movq %rsp, %rdi
  call scheduler_thread_started
  jmp trap_frame_return    // trap_entry.S

  // void kernel_stack_overflow_provoke(uint64_t stack_top): test=thread-stack-overflow moves
  // onto a thread's kernel stack and recurses (stack_overflow.c) into its guard page.
  .global kernel_stack_overflow_provoke
kernel_stack_overflow_provoke:
  movq %rdi, %rsp
  xorl %edi, %edi
  call stack_overflow_provoke
  ud2

  // void user_segment_selectors_reset(void): DS, ES, FS, GS = the null selector, once before
  // the first program (the FS base itself is the IA32_FS_BASE MSR, set at every switch).
  .global user_segment_selectors_reset
user_segment_selectors_reset:
  xorl %eax, %eax
  movw %ax, %fs
  movw %ax, %gs
  ret

  // The LSTAR target. SFMASK has cleared IF, DF, TF and AC; RCX holds the user RIP, R11 the
  // user RFLAGS. Builds a struct trap_frame on the running thread's kernel stack (vector 256),
  // calls kernel_syscall_dispatch, and returns with SYSRETQ (the frame's RIP, RFLAGS and RSP).
  // This CPU's processor_entry_state names the stack's top (one CPU
  // today: boot_processor_entry; a second one would reach its own through GS after SWAPGS).
  .global syscall_entry
syscall_entry:
  movq %rsp, boot_processor_entry+ENTRY_USER_STACK_SCRATCH(%rip)
  movq boot_processor_entry+ENTRY_KERNEL_STACK_TOP(%rip), %rsp
  pushq $USER_DATA_SELECTOR
  pushq boot_processor_entry+ENTRY_USER_STACK_SCRATCH(%rip)
  pushq %r11
  pushq $USER_CODE_SELECTOR
  pushq %rcx
  pushq %rax               // error-code slot: the call number (Linux's orig_ax, for restarts)
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
  // SYSRET reloads RIP from RCX and RFLAGS from R11. When the frame's RCX/R11 are not its
  // RIP/RFLAGS (rt_sigreturn restored them, a handler's entry or a restart edited RIP), or
  // RFLAGS has TF or RF, return with IRETQ instead, restoring every register (Linux's rule
  // in do_syscall_64). SYSRET also sets CS and SS from STAR: a frame with other selectors
  // (rt_sigreturn restores the handler's) needs IRETQ too. IRETQ is trap_entry.S's
  // trap_frame_return, the one return sequence.
  movq FRAME_RCX(%rsp), %rax
  cmpq FRAME_RIP(%rsp), %rax
  jne trap_frame_return
  movq FRAME_R11(%rsp), %rax
  cmpq FRAME_RFLAGS(%rsp), %rax
  jne trap_frame_return
  testq $(RFLAGS_TF | RFLAGS_RF), %rax
  jnz trap_frame_return
  cmpq $USER_CODE_SELECTOR, FRAME_CS(%rsp)
  jne trap_frame_return
  cmpq $USER_DATA_SELECTOR, FRAME_SS(%rsp)
  jne trap_frame_return
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

  // The CSTAR target: SYSCALL from compatibility mode (a 32-bit code segment). No 32-bit
  // system calls exist here: -ENOSYS in EAX, back with SYSRETL (RCX, R11: the user EIP and
  // EFLAGS; the user RSP was never changed), as Linux without IA32_EMULATION answers.
  .global compatibility_syscall_refuse
compatibility_syscall_refuse:
  movl $-LINUX_ENOSYS, %eax
  sysretl

  // uint64_t user_copy(void *destination, const void *source, uint64_t length)
  // Copies between kernel and user memory with SMAP's guard lowered: 0 when done, 1 when a
  // fault the page trap could not resolve stopped it (the caller answers EFAULT). Quadwords
  // first (REP MOVSQ), then the last 0-7 bytes (REP MOVSB): under TCG every iteration of a
  // REP string instruction is a pass through the translated block, so a signal frame's 952
  // bytes cost 119 of them instead of 952. Both are access instructions with the recovery.
  .global user_copy
user_copy:
  cmpb $0, smap_is_enabled(%rip)
  je 1f
  stac
1:
  movq %rdx, %rcx
  shrq $3, %rcx
user_copy_access:
  rep movsq
  movq %rdx, %rcx
  andq $7, %rcx
user_copy_access_tail:
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
  je 1f
  leaq user_copy_access_tail(%rip), %rax
  cmpq %rax, %rdi
  je 1f
  xorl %eax, %eax
  ret
1:
  leaq user_copy_recovery(%rip), %rax
  ret

  // void user_fpu_state_save(void *area), void user_fpu_state_restore(const void *area),
  // void user_fpu_state_initial(void *area): a thread's FPU/SSE state (its 512-byte, 16-aligned
  // FXSAVE area) saved and restored at each switch between user threads, and the power-on
  // state (FCW 0x37f, MXCSR 0x1f80, every register zero) a new program starts with. The kernel
  // itself never uses the FPU: tools/check-kernel-instructions allows these three functions.
  .global user_fpu_state_save
user_fpu_state_save:
  fxsave64 (%rdi)
  ret

  .global user_fpu_state_restore
user_fpu_state_restore:
  fxrstor64 (%rdi)
  ret

  .global user_fpu_state_initial
user_fpu_state_initial:
  fxrstor64 initial_fpu_state(%rip)
  fxsave64 (%rdi)
  ret

  // The FXSAVE image (SDM Vol. 1 §10.5.1, table 10-2) user_fpu_state_initial loads.
#define FXSAVE_AREA_SIZE 512
#define FXSAVE_MXCSR_OFFSET 24
  .section .rodata
  .balign 16
initial_fpu_state:
  .word 0x037f                         // FCW: every exception masked, extended precision
  .skip FXSAVE_MXCSR_OFFSET - 2
  .long 0x1f80                         // MXCSR: every exception masked, round to nearest
  .skip FXSAVE_AREA_SIZE - FXSAVE_MXCSR_OFFSET - 4

  // This CPU's entry state (struct processor_entry_state): the kernel stack top of the thread
  // it runs, and the SYSCALL entry's scratch word for the user RSP. The scheduler writes the
  // first at every switch (beside TSS.RSP0).
  .data
  .balign 16
  .global boot_processor_entry
boot_processor_entry:
  .quad 0
  .quad 0
