// The Multiboot (version 1) header: the loader finds it in the first 8 KiB of the image
// (Multiboot Specification 0.6.96, §3.1.1). QEMU's -kernel loader reads it.

#define MULTIBOOT_HEADER_MAGIC        0x1BADB002
#define MULTIBOOT_PAGE_ALIGN_MODULES  (1 << 0)   // load modules on 4 KiB boundaries
#define MULTIBOOT_MEMORY_INFO         (1 << 1)   // pass mem_lower/upper and the memory map
#define MULTIBOOT_HEADER_FLAGS        (MULTIBOOT_PAGE_ALIGN_MODULES | MULTIBOOT_MEMORY_INFO)

  .section .multiboot, "a"
  .balign 4
  .long MULTIBOOT_HEADER_MAGIC
  .long MULTIBOOT_HEADER_FLAGS
  .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)
