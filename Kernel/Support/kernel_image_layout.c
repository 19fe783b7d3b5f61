// The linker script's symbols (Kernel/linker.ld) as numbers Swift can use.
#include "KernelSupport.h"

extern char __boot_start[], __boot_end[];
extern char __kernel_image_start[], __kernel_text_end[], __kernel_rodata_end[];
extern char __kernel_stack_guard[], __kernel_stack_bottom[], __kernel_stack_top[];
extern char __kernel_image_end[];
extern char double_fault_stack_top[], nmi_stack_top[];

/// The heap's first pages, before the frame allocator exists: enough for the GDT, IDT, the
/// parsed boot information and the boot summary's strings.
#define EARLY_HEAP_SIZE (1024 * 1024)
static uint8_t early_heap[EARLY_HEAP_SIZE] __attribute__((aligned(4096)));


struct kernel_image_layout kernel_image_layout_get(void) {
  struct kernel_image_layout layout = {
      .virtual_base = (uint64_t)KERNEL_VIRTUAL_BASE,
      .image_start = (uint64_t)__kernel_image_start,
      .text_end = (uint64_t)__kernel_text_end,
      .rodata_end = (uint64_t)__kernel_rodata_end,
      .stack_guard = (uint64_t)__kernel_stack_guard,
      .stack_bottom = (uint64_t)__kernel_stack_bottom,
      .stack_top = (uint64_t)__kernel_stack_top,
      .image_end = (uint64_t)__kernel_image_end,
      .boot_start = (uint64_t)__boot_start,
      .boot_end = (uint64_t)__boot_end,
      .double_fault_stack_top = (uint64_t)double_fault_stack_top,
      .nmi_stack_top = (uint64_t)nmi_stack_top,
      .early_heap_start = (uint64_t)early_heap,
      .early_heap_end = (uint64_t)early_heap + EARLY_HEAP_SIZE,
  };
  return layout;
}
