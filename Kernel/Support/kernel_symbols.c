// Looks up the function containing an address in the symbol table that the build embeds with
// a second link pass (tools/gen-kernel-symbols writes it as assembly; see Kernel/kernel.mk).
// Text addresses do not move between the passes because the table lives after .text.
#include "KernelSupport.h"

extern const uint64_t kernel_symbol_count;
extern const uint64_t kernel_symbol_addresses[];    // sorted ascending
extern const uint32_t kernel_symbol_name_offsets[];
extern const char kernel_symbol_names[];

const char *kernel_symbol_lookup(uint64_t address, uint64_t *offset) {
  uint64_t low = 0, high = kernel_symbol_count;
  if (high == 0 || address < kernel_symbol_addresses[0]) return NULL;
  while (high - low > 1) {  // the last symbol starting at or below `address`
    uint64_t middle = low + (high - low) / 2;
    if (kernel_symbol_addresses[middle] <= address) low = middle; else high = middle;
  }
  *offset = address - kernel_symbol_addresses[low];
  return kernel_symbol_names + kernel_symbol_name_offsets[low];
}
