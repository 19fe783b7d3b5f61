// The 32-bit entry point: from the state Multiboot leaves (protected mode, paging off,
// EAX = magic, EBX = physical address of the information structure) into 64-bit long mode
// running the higher-half kernel (SDM Vol. 3A §9.8.5, "Initializing IA-32e Mode").
//
// The boot page tables map the first 1 GiB three times with 2 MiB pages: identity (so this
// code keeps running when paging turns on), at the direct-map base, and at the kernel's
// virtual base. The kernel replaces them with tables built by the core library.
// (The boot PDPT serves all three PML4 slots, so the kernel base must be 1 GiB-aligned.)

// KERNEL_VIRTUAL_BASE comes from Kernel/kernel.mk (-D), the same value the linker uses.
#define PHYSICAL(symbol)      ((symbol) - KERNEL_VIRTUAL_BASE)

#define CPUID_EXTENDED_MAX    0x80000000
#define CPUID_EXTENDED_FEATURES 0x80000001
#define CPUID_LONG_MODE       (1 << 29)    // EDX of leaf 0x80000001: LM
#define CPUID_NO_EXECUTE      (1 << 20)    // EDX of leaf 0x80000001: NX

#define CR0_PROTECTION_ENABLE (1 << 0)
#define CR0_PAGING            (1 << 31)
#define CR4_PAE               (1 << 5)
#define MSR_EFER              0xC0000080
#define EFER_LME              (1 << 8)
#define EFER_NXE              (1 << 11)

#define PTE_PRESENT           (1 << 0)
#define PTE_WRITABLE          (1 << 1)
#define PTE_HUGE              (1 << 7)
#define TWO_MIB               0x200000
#define ENTRIES_PER_TABLE     512
#define PML4_DIRECT_MAP_SLOT  256          // 0xffff_8000_0000_0000
#define PML4_KERNEL_SLOT      ((KERNEL_VIRTUAL_BASE >> 39) & 511)
#define PDPT_KERNEL_SLOT      ((KERNEL_VIRTUAL_BASE >> 30) & 511)

#define GDT_KERNEL_CODE       0x08
#define GDT_KERNEL_DATA       0x10

#define COM1                  0x3f8
#define DEBUG_EXIT_PORT       0xf4
#define DEBUG_EXIT_PANIC      0x11         // see Kernel/Arch/QEMUExit.swift

  .section .boot.text, "ax"
  .code32
  .global _start
_start:
  cli
  movl %eax, PHYSICAL(multiboot_magic)
  movl %ebx, PHYSICAL(multiboot_information)

  // Long mode present? (CPUID leaf 0x80000001, EDX.LM)
  movl $CPUID_EXTENDED_MAX, %eax
  cpuid
  cmpl $CPUID_EXTENDED_FEATURES, %eax
  jb no_long_mode
  movl $CPUID_EXTENDED_FEATURES, %eax
  cpuid
  testl $CPUID_LONG_MODE, %edx
  jz no_long_mode
  movl %edx, %esi                       // keep the feature bits for NX below

  call build_boot_page_tables

  // CR4.PAE, then CR3, then EFER.LME (+ NXE when the CPU has it), then CR0.PG.
  movl %cr4, %eax
  orl $CR4_PAE, %eax
  movl %eax, %cr4
  movl $PHYSICAL(boot_pml4), %eax
  movl %eax, %cr3
  movl $MSR_EFER, %ecx
  rdmsr
  orl $EFER_LME, %eax
  testl $CPUID_NO_EXECUTE, %esi
  jz 1f
  orl $EFER_NXE, %eax
1:
  wrmsr
  movl %cr0, %eax
  orl $(CR0_PAGING | CR0_PROTECTION_ENABLE), %eax
  movl %eax, %cr0

  lgdt boot_gdt_register
  ljmp $GDT_KERNEL_CODE, $long_mode_start

// Fills the three boot tables (outside .bss: .bss is zeroed later, while they are in use).
build_boot_page_tables:
  movl $PHYSICAL(boot_page_tables_start), %edi
  movl $((boot_page_tables_end - boot_page_tables_start) / 4), %ecx
  xorl %eax, %eax
  rep stosl

  movl $(PHYSICAL(boot_pdpt) + PTE_PRESENT + PTE_WRITABLE), %eax
  movl %eax, PHYSICAL(boot_pml4)
  movl %eax, PHYSICAL(boot_pml4) + PML4_DIRECT_MAP_SLOT * 8
  movl %eax, PHYSICAL(boot_pml4) + PML4_KERNEL_SLOT * 8
  movl $(PHYSICAL(boot_page_directory) + PTE_PRESENT + PTE_WRITABLE), %eax
  movl %eax, PHYSICAL(boot_pdpt)
  movl %eax, PHYSICAL(boot_pdpt) + PDPT_KERNEL_SLOT * 8

  // 512 × 2 MiB = the first 1 GiB.
  movl $PHYSICAL(boot_page_directory), %edi
  movl $(PTE_PRESENT + PTE_WRITABLE + PTE_HUGE), %eax
  movl $ENTRIES_PER_TABLE, %ecx
2:
  movl %eax, (%edi)
  addl $TWO_MIB, %eax
  addl $8, %edi
  loop 2b
  ret

// No long mode: say so on COM1 and leave QEMU with the panic status.
no_long_mode:
  movl $no_long_mode_message, %esi
  movw $COM1, %dx
3:
  lodsb
  testb %al, %al
  jz 4f
  outb %al, %dx
  jmp 3b
4:
  movw $DEBUG_EXIT_PORT, %dx
  movl $DEBUG_EXIT_PANIC, %eax
  outl %eax, %dx
5:
  hlt
  jmp 5b

  .code64
long_mode_start:
  movw $GDT_KERNEL_DATA, %ax
  movw %ax, %ds
  movw %ax, %es
  movw %ax, %ss
  xorl %eax, %eax
  movw %ax, %fs
  movw %ax, %gs
  movabsq $kernel_virtual_entry, %rax
  jmp *%rax

  .section .boot.rodata, "a"
no_long_mode_message:
  .asciz "KERNEL PANIC: this CPU has no long mode (CPUID 0x80000001 EDX.LM)\r\n"

  // The boot GDT: null, 64-bit kernel code, kernel data. Replaced by Kernel/Arch's GDT.
  .balign 8
boot_gdt:
  .quad 0
  .quad 0x00af9a000000ffff    // code: present, DPL 0, executable, readable, L=1
  .quad 0x00cf92000000ffff    // data: present, DPL 0, writable
boot_gdt_end:
boot_gdt_register:
  .word boot_gdt_end - boot_gdt - 1
  .long boot_gdt

  // ------------------------------------------------------------------------------------------
  // 64-bit, at the kernel's virtual address.
  .text
kernel_virtual_entry:
  // Zero .bss (the boot stack lives there too; nothing is on it yet), then switch to it.
  // Eight bytes per iteration, then the remainder: .bss holds the 1 MiB early heap arena, and
  // under QEMU's TCG every REP iteration costs about as much as a whole instruction, so
  // REP STOSB here took ~1.2 million iterations (~3 ms of boot), REP STOSQ an eighth of that.
  leaq __bss_start(%rip), %rdi
  leaq __bss_end(%rip), %rcx
  subq %rdi, %rcx
  movq %rcx, %rdx
  shrq $3, %rcx                           // whole quadwords
  xorl %eax, %eax
  rep stosq
  movq %rdx, %rcx
  andq $7, %rcx                           // the last 0-7 bytes
  rep stosb
  leaq __kernel_stack_top(%rip), %rsp
  xorl %ebp, %ebp

  movl multiboot_magic(%rip), %edi        // 32-bit moves zero the upper halves
  movl multiboot_information(%rip), %esi
  call kernel_main
6:
  cli
  hlt
  jmp 6b

  .data
  .balign 4
  .global multiboot_magic, multiboot_information
multiboot_magic:        .long 0
multiboot_information:  .long 0

  .section .boot_page_tables, "aw", @nobits
  .balign 4096
boot_page_tables_start:
boot_pml4:            .skip 4096
boot_pdpt:            .skip 4096
boot_page_directory:  .skip 4096
boot_page_tables_end:
