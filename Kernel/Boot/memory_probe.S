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
