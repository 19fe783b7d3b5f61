// C-ABI entry points the Swift runtime expects from its platform. Each one forwards to Swift
// code in Kernel/: `free` in particular cannot be defined from Swift (the name is reserved).
#include <stddef.h>
#include <stdint.h>

void kernel_console_put_byte(uint8_t byte);
void *kernel_heap_allocate(size_t size, size_t alignment);
void kernel_heap_release(void *pointer);

int putchar(int character) {
  kernel_console_put_byte((uint8_t)character);
  return character;
}

#define EINVAL 22

int posix_memalign(void **result, size_t alignment, size_t size) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  *result = kernel_heap_allocate(size, alignment);  // never NULL: exhaustion panics
  return 0;
}

void *malloc(size_t size) { return kernel_heap_allocate(size, 16); }

void free(void *pointer) {
  if (pointer) kernel_heap_release(pointer);
}

// Hashing seeds (Hasher) — the kernel keeps Set/Dictionary out, but a deterministic fill keeps
// the symbol resolvable if one slips in.
void arc4random_buf(void *buffer, size_t count) {
  uint8_t *bytes = buffer;
  for (size_t i = 0; i < count; i++) bytes[i] = (uint8_t)(i * 131 + 17);
}
