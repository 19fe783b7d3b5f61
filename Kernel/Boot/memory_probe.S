// Memory probes: single accesses that are allowed to fault. The page-fault handler asks
// memory_probe_recovery_for(rip); for a probe's access instruction it resumes at the probe's
// recovery label, which returns 0 — the kernel's "exception table", with two entries. Used by
// the demonstration and self-tests to show that an unmapped page really faults.

  .text
  // int memory_probe_read(uint64_t address)
  .global memory_probe_read
memory_probe_read:
  movl $1, %eax
probe_read_access:
  movb (%rdi), %cl
  ret
probe_read_recovery:
  xorl %eax, %eax
  ret

  // int memory_probe_write(uint64_t address, uint8_t value)
  .global memory_probe_write
memory_probe_write:
  movl $1, %eax
probe_write_access:
  movb %sil, (%rdi)
  ret
probe_write_recovery:
  xorl %eax, %eax
  ret

  // uint64_t memory_probe_recovery_for(uint64_t rip)
  .global memory_probe_recovery_for
memory_probe_recovery_for:
  leaq probe_read_access(%rip), %rax
  cmpq %rax, %rdi
  jne 1f
  leaq probe_read_recovery(%rip), %rax
  ret
1:
  leaq probe_write_access(%rip), %rax
  cmpq %rax, %rdi
  jne 2f
  leaq probe_write_recovery(%rip), %rax
  ret
2:
  xorl %eax, %eax
  ret

// User accesses on a process's behalf (the `copy_from_user` family, one byte at a time): SMAP
// is lifted with STAC for the one instruction. A fault there is the process's, not the
// kernel's: the page trap hands it to the core's policy as `.kernelAccessingUser`, and either
// retries the instruction (the page was backed) or resumes at the recovery label (EFAULT).

// STAC/CLAC exist only on CPUs with SMAP (#UD elsewhere): skipped unless SMAP is on.
.macro USER_ACCESS_BEGIN
  cmpb $0, smap_is_enabled(%rip)
  je .Lno_stac\@
  stac
.Lno_stac\@:
.endm

.macro USER_ACCESS_END
  cmpb $0, smap_is_enabled(%rip)
  je .Lno_clac\@
  clac
.Lno_clac\@:
.endm

  // int user_memory_write(uint64_t address, uint8_t value)
  .global user_memory_write
user_memory_write:
  USER_ACCESS_BEGIN
  movl $1, %eax
user_write_access:
  movb %sil, (%rdi)
  USER_ACCESS_END
  ret
user_write_recovery:
  USER_ACCESS_END
  xorl %eax, %eax
  ret

  // int user_memory_read(uint64_t address, uint8_t *value)
  .global user_memory_read
user_memory_read:
  USER_ACCESS_BEGIN
  movl $1, %eax
user_read_access:
  movb (%rdi), %cl
  USER_ACCESS_END
  movb %cl, (%rsi)
  ret
user_read_recovery:
  USER_ACCESS_END
  xorl %eax, %eax
  ret

  // uint64_t user_memory_recovery_for(uint64_t rip)
  .global user_memory_recovery_for
user_memory_recovery_for:
  leaq user_write_access(%rip), %rax
  cmpq %rax, %rdi
  jne 1f
  leaq user_write_recovery(%rip), %rax
  ret
1:
  leaq user_read_access(%rip), %rax
  cmpq %rax, %rdi
  jne 2f
  leaq user_read_recovery(%rip), %rax
  ret
2:
  xorl %eax, %eax
  ret

  // Set by the kernel once CR4.SMAP is on (KernelSupport.h).
  .data
  .global smap_is_enabled
smap_is_enabled:
  .byte 0

// The execute probe: calls `address`, which should hold a RET. If the instruction fetch faults
// (NX, SMEP, not present), the faulting RIP is the target itself, so the page trap recognises
// it through execute_probe_target, drops the return address CALL pushed and resumes at the
// recovery label.

  .text
  // int memory_probe_execute(uint64_t address)
  .global memory_probe_execute
memory_probe_execute:
  movq %rdi, execute_probe_target(%rip)
  call *%rdi
  movq $0, execute_probe_target(%rip)
  movl $1, %eax
  ret
execute_probe_recovery:
  movq $0, execute_probe_target(%rip)
  xorl %eax, %eax
  ret

  // uint64_t memory_probe_execute_recovery_for(uint64_t rip)
  .global memory_probe_execute_recovery_for
memory_probe_execute_recovery_for:
  movq execute_probe_target(%rip), %rax
  testq %rax, %rax
  jz 1f
  cmpq %rax, %rdi
  jne 1f
  leaq execute_probe_recovery(%rip), %rax
  ret
1:
  xorl %eax, %eax
  ret

  .bss
  .balign 8
execute_probe_target:
  .quad 0
