// Entry stubs for every IDT vector (SDM Vol. 3A §6.15): the 32 CPU exceptions and the 224
// external and local interrupt vectors above them (the local APIC timer and the APIC's spurious
// vector today, Kernel/Arch/InterruptVectors.swift). Each stub makes the stack look the same —
// an error code (the CPU's, or 0 for vectors without one: every interrupt) and the vector
// number — then the common path saves every general register, calls the Swift dispatcher with
// a pointer to the resulting `struct trap_frame` (KernelSupport.h), restores the registers (the
// handler may have changed them, e.g. RIP to a probe's recovery address) and returns with IRETQ
// (trap_frame_return, the one such sequence).
//
// Interrupts reach these stubs only from ring 3 (on TSS.RSP0, the running thread's kernel
// stack) or from the idle loop's `sti; hlt`: every gate is an interrupt gate, so IF is clear
// in every handler and nothing nests except an NMI or a fault of the handler itself.
#define VECTOR_COUNT 256

// Vectors for which the CPU pushes an error code: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13,
// #PF 14, #AC 17, #CP 21, #VC 29, #SX 30. No interrupt (vector 32 and up) has one.
.macro TRAP_STUB vector
  .balign 16
trap_stub_\vector:
  .if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
  .else
  pushq $0
  .endif
  pushq $\vector
  jmp trap_common
.endm

  .text
  .altmacro
  .set vector, 0
  .rept VECTOR_COUNT
  TRAP_STUB %vector
  .set vector, vector + 1
  .endr

trap_common:
  cld
  // RFLAGS.AC is the user's own in ring 3 (POPF may set it) and interrupt delivery keeps it:
  // clear it, or SMAP would be off for the whole handler. IRETQ restores the interrupted
  // value, so user_copy's STAC survives a fault inside it.
  cmpb $0, smap_is_enabled(%rip)
  je 1f
  clac
1:
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
  movq %rsp, %rdi          // 5 CPU words + 2 stub words + 15 registers: RSP stays 16-aligned
  call kernel_trap_dispatch
  movq %rax, %rsp          // the frame to resume: this one, or the user frame after a bad IRET

  // The one return of a trap frame (RSP = struct trap_frame) through IRETQ, to ring 3 or to
  // the kernel: trap_common, thread_entry_trampoline (a new thread's first entry to ring 3)
  // and the system-call exit when SYSRET cannot restore the frame all end here, so a fault of
  // the IRETQ itself (a bad user CS or SS, a non-canonical RIP: #GP, #NP, #SS in ring 0) has
  // one address, trap_frame_return_iret, for kernel_trap_dispatch to recognise
  // (BadInterruptReturn.swift, Linux's fixup_bad_iret).
  .global trap_frame_return, trap_frame_return_iret
trap_frame_return:
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
trap_frame_return_iret:
  iretq

.macro STUB_ADDRESS vector
  .quad trap_stub_\vector
.endm

  .section .rodata
  .balign 8
trap_stub_table:
  .set vector, 0
  .rept VECTOR_COUNT
  STUB_ADDRESS %vector
  .set vector, vector + 1
  .endr

  // uint64_t trap_stub_address(uint32_t vector), vector < 256
  .text
  .global trap_stub_address
trap_stub_address:
  movl %edi, %eax
  leaq trap_stub_table(%rip), %rcx
  movq (%rcx,%rax,8), %rax
  ret

  // The IST stacks (TSS.IST1 for #DF, IST2 for NMI): a fault on a broken kernel stack still
  // has a good stack to report on.
  .section .bss.interrupt_stacks, "aw", @nobits
  .balign 4096
  .global double_fault_stack_top, nmi_stack_top
  .skip 16384
double_fault_stack_top:
  .skip 16384
nmi_stack_top:
