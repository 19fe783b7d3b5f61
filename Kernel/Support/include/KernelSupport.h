// The kernel's only window onto the hardware: one static inline helper per instruction, named
// after what it does (Intel SDM Vol. 2 for each instruction, Vol. 3A for the registers). Swift
// imports this header through module.modulemap; the helpers inline straight into Swift code.
#ifndef KERNEL_SUPPORT_H
#define KERNEL_SUPPORT_H

#include <stdint.h>
#include <stddef.h>

// ---- Port I/O -------------------------------------------------------------------------------

#include "PortIO.h"  // port_read_byte/word/dword, port_write_byte/word/dword

/// A compiler barrier: no load or store is moved across it. Memory shared with a device (a
/// virtqueue) needs nothing more on x86, whose stores are not reordered with other stores nor
/// loads with other loads (SDM Vol. 3A §9.2.2); it keeps Swift from caching or reordering them.
static inline void compiler_memory_barrier(void) { __asm__ volatile("" : : : "memory"); }

// ---- Control registers ------------------------------------------------------------------------

static inline uint64_t control_register_0_read(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr0, %0" : "=r"(value));
  return value;
}
static inline void control_register_0_write(uint64_t value) {
  __asm__ volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}
/// CR2: the linear address of the last page fault.
static inline uint64_t page_fault_address_read(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr2, %0" : "=r"(value));
  return value;
}
/// CR3: the physical address of the PML4 (plus PCD/PWT bits).
static inline uint64_t page_table_root_read(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr3, %0" : "=r"(value));
  return value;
}
/// Loads CR3: switches page tables and flushes every non-global TLB entry.
static inline void page_table_root_write(uint64_t value) {
  __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}
static inline uint64_t control_register_4_read(void) {
  uint64_t value;
  __asm__ volatile("mov %%cr4, %0" : "=r"(value));
  return value;
}
static inline void control_register_4_write(uint64_t value) {
  __asm__ volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

// ---- Model-specific registers ----------------------------------------------------------------

/// RDMSR: reads the model-specific register `msr`.
static inline uint64_t model_specific_register_read(uint32_t msr) {
  uint32_t low, high;
  __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return ((uint64_t)high << 32) | low;
}
/// WRMSR: writes the model-specific register `msr`.
static inline void model_specific_register_write(uint32_t msr, uint64_t value) {
  __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                   : "memory");
}

// ---- TLB ---------------------------------------------------------------------------------------

/// INVLPG: drops any TLB entry for the page containing `address` (global ones too).
static inline void tlb_invalidate_page(uint64_t address) {
  __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
}

// ---- Bulk stores ------------------------------------------------------------------------------

/// REP STOSQ: stores `quadwords` zero quadwords from `destination` (8-byte aligned) upwards,
/// with DF clear (every kernel entry clears it: `cld` in the trap stubs, FMASK for SYSCALL).
///
/// Why not `memset`: the kernel's C `memset` stores one byte per iteration, and a Swift loop is
/// turned back into a `memset` call by LLVM. One REP STOSQ clears a 4 KiB frame in 512 iterations
/// (under QEMU's TCG about 8x cheaper than byte stores; on hardware the fast-string microcode
/// makes it one of the fastest ways); no SSE, which the kernel must not use.
static inline void memory_zero_quadwords(void *destination, size_t quadwords) {
  __asm__ volatile("rep stosq"
                   : "+D"(destination), "+c"(quadwords)
                   : "a"((uint64_t)0)
                   : "memory");
}

/// REP MOVSQ: copies `quadwords` quadwords from `source` to `destination` (both 8-byte
/// aligned, not overlapping), upwards with DF clear — a frame's copy-on-write copy. The same
/// reason as `memory_zero_quadwords`: the C `memcpy` copies a byte per iteration, and Swift's
/// `update(from:count:)` compiles to a call to it (a 4 KiB copy measured 23 us under TCG).
static inline void memory_copy_quadwords(void *destination, const void *source,
                                         size_t quadwords) {
  __asm__ volatile("rep movsq"
                   : "+D"(destination), "+S"(source), "+c"(quadwords)
                   :
                   : "memory");
}

// ---- CPU identification and time ----------------------------------------------------------------

/// The four registers CPUID returns.
struct cpuid_result {
  uint32_t eax, ebx, ecx, edx;
};

/// CPUID with EAX = `leaf`, ECX = `subleaf`.
static inline struct cpuid_result cpu_identify(uint32_t leaf, uint32_t subleaf) {
  struct cpuid_result r;
  __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                   : "a"(leaf), "c"(subleaf));
  return r;
}

/// RDTSC: the time-stamp counter (cycles at the TSC's rate).
static inline uint64_t timestamp_counter_read(void) {
  uint32_t low, high;
  __asm__ volatile("rdtsc" : "=a"(low), "=d"(high) : : "memory");
  return ((uint64_t)high << 32) | low;
}

// ---- Descriptor tables -------------------------------------------------------------------------

/// The 10-byte operand of LGDT/LIDT.
struct __attribute__((packed)) descriptor_table_register {
  uint16_t limit;
  uint64_t base;
};

/// LGDT, then reloads every segment register: CS through a far return, the data segments
/// directly (SDM Vol. 3A §3.4.3).
static inline void global_descriptor_table_load(uint64_t base, uint16_t limit,
                                                uint16_t code_selector,
                                                uint16_t data_selector) {
  struct descriptor_table_register r = {limit, base};
  __asm__ volatile("lgdt %0" : : "m"(r) : "memory");
  __asm__ volatile(
      "pushq %q0\n\t"
      "leaq 1f(%%rip), %%rax\n\t"
      "pushq %%rax\n\t"
      "lretq\n"
      "1:\n\t"
      "movw %w1, %%ds\n\t"
      "movw %w1, %%es\n\t"
      "movw %w1, %%ss\n\t"
      : : "r"((uint64_t)code_selector), "r"(data_selector) : "rax", "memory");
}

/// LIDT: installs the interrupt descriptor table.
static inline void interrupt_descriptor_table_load(uint64_t base, uint16_t limit) {
  struct descriptor_table_register r = {limit, base};
  __asm__ volatile("lidt %0" : : "m"(r) : "memory");
}

/// LTR: loads the task register with the TSS selector.
static inline void task_register_load(uint16_t selector) {
  __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

/// LLDT: loads the LDT register; the null selector leaves no LDT, so a selector with TI set
/// faults (#GP) instead of indexing whatever table LDTR held since reset (base 0, limit 0xffff).
static inline void local_descriptor_table_load(uint16_t selector) {
  __asm__ volatile("lldt %0" : : "r"(selector) : "memory");
}

// ---- Interrupt flag, halting --------------------------------------------------------------------

/// CLI: masks maskable interrupts.
static inline void interrupts_disable(void) { __asm__ volatile("cli" : : : "memory"); }

/// HLT: waits for the next interrupt.
static inline void processor_halt(void) { __asm__ volatile("hlt" : : : "memory"); }

/// STI; HLT: unmasks interrupts and waits for the next one. STI's interrupt shadow holds any
/// interrupt already pending until HLT has begun, so one that arrived after the caller last
/// checked its condition (with interrupts masked) still wakes this HLT instead of being taken
/// before it and leaving the CPU halted (SDM Vol. 2B, STI). Returns with interrupts still on.
static inline void interrupts_enable_and_halt(void) {
  __asm__ volatile("sti\n\thlt" : : : "memory");
}

// ---- Memory-mapped device registers -------------------------------------------------------------

/// A 32-bit load from a device register: volatile, so it is neither dropped, merged nor
/// reordered with other device accesses (the page must be mapped uncached).
static inline uint32_t device_register_read(uint64_t address) {
  return *(volatile uint32_t *)address;
}

/// A 32-bit store to a device register (see device_register_read).
static inline void device_register_write(uint64_t address, uint32_t value) {
  *(volatile uint32_t *)address = value;
}


// ---- Assembly-provided symbols -----------------------------------------------------------------

/// The saved state of an interrupted context, laid out exactly as Kernel/Boot/trap_entry.S
/// pushes it: general registers (r15 pushed last, so first here), the vector and error code
/// the stub pushed, then the frame the CPU pushed (SDM Vol. 3A §6.14.1).
struct trap_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error_code;
  uint64_t rip, cs, rflags, rsp, ss;
};

/// The entry stub of IDT vector `vector` (0–255: the 32 exceptions, then interrupts), from
/// trap_entry.S.
uint64_t trap_stub_address(uint32_t vector);

/// Probes: read or write one byte at `address`; return 1 on success, 0 when the access faulted
/// (the page-fault handler resumes them at their recovery label). See memory_probe.S.
int memory_probe_read(uint64_t address);
int memory_probe_write(uint64_t address, uint8_t value);
/// Whether `rip` is a probe's faulting instruction; if so, its recovery address, else 0.
uint64_t memory_probe_recovery_for(uint64_t rip);

/// Calls `address` (which should hold a RET): 1 when it ran, 0 when the fetch faulted.
int memory_probe_execute(uint64_t address);
/// When `rip` is the target of a running execute probe, its recovery address (the handler must
/// also pop the return address CALL pushed), else 0.
uint64_t memory_probe_execute_recovery_for(uint64_t rip);

/// Single-byte accesses to user memory on a process's behalf (STAC/CLAC around them): 1 on
/// success, 0 when the page trap's policy refused the access (EFAULT). See memory_probe.S.
int user_memory_write(uint64_t address, uint8_t value);
int user_memory_read(uint64_t address, uint8_t *value);
/// Whether `rip` is a user access's instruction; if so, its recovery address, else 0.
uint64_t user_memory_recovery_for(uint64_t rip);
/// Nonzero once CR4.SMAP is on: the user-access routines then bracket with STAC/CLAC.
extern uint8_t smap_is_enabled;

/// Recurses without bound: the stack-overflow test (stack_overflow.c).
void stack_overflow_provoke(uint64_t depth);

/// Where the linker put the kernel image's parts (virtual addresses, from Kernel/linker.ld).
struct kernel_image_layout {
  uint64_t virtual_base;   // KERNEL_VIRTUAL_BASE: virtual = physical + this
  uint64_t image_start;    // first byte of the higher-half image (.text)
  uint64_t text_end;       // .text ends, .rodata starts
  uint64_t rodata_end;     // .rodata ends, .data starts
  uint64_t stack_guard;    // the unmapped guard page below the boot stack
  uint64_t stack_bottom;
  uint64_t stack_top;
  uint64_t image_end;      // end of .bss (page-aligned)
  uint64_t boot_start;     // physical start of the low boot section
  uint64_t boot_end;       // physical end of the low boot section
  uint64_t double_fault_stack_top;   // IST1
  uint64_t nmi_stack_top;            // IST2
  uint64_t early_heap_start;         // the static arena the heap starts in (.bss)
  uint64_t early_heap_end;
};

/// The kernel image's layout (kernel_image_layout.c).
struct kernel_image_layout kernel_image_layout_get(void);

/// The symbol table embedded by the second link pass: the name of the function containing
/// `address` and the offset into it, or NULL when unknown (kernel_symbols.c).
const char *kernel_symbol_lookup(uint64_t address, uint64_t *offset);

#endif
