// The memory primitives the compiler and the Swift runtime call. Built with -ffreestanding
// -fno-builtin so that the loops below are not themselves turned into calls to these functions.
#include <stddef.h>
#include <stdint.h>

void *memset(void *destination, int value, size_t count) {
  uint8_t *bytes = destination;
  for (size_t i = 0; i < count; i++) bytes[i] = (uint8_t)value;
  return destination;
}

// memcpy moves quadwords with REP MOVSQ, then the last bytes with REP MOVSB (DF is clear at
// every kernel entry). Under QEMU's TCG each iteration of a string instruction costs about what
// a byte loop's does, so eight bytes per iteration are ~8x cheaper; no SSE, which the kernel
// must not use.
void *memcpy(void *restrict destination, const void *restrict source, size_t count) {
  void *to = destination;
  const void *from = source;
  size_t quadwords = count / 8, bytes = count % 8;
  __asm__ volatile("rep movsq" : "+D"(to), "+S"(from), "+c"(quadwords) : : "memory");
  __asm__ volatile("rep movsb" : "+D"(to), "+S"(from), "+c"(bytes) : : "memory");
  return destination;
}

void *memmove(void *destination, const void *source, size_t count) {
  uint8_t *to = destination;
  const uint8_t *from = source;
  if (to + count <= from || from + count <= to) return memcpy(destination, source, count);
  if (to < from) {
    for (size_t i = 0; i < count; i++) to[i] = from[i];
  } else {
    for (size_t i = count; i > 0; i--) to[i - 1] = from[i - 1];
  }
  return destination;
}

int memcmp(const void *left, const void *right, size_t count) {
  const uint8_t *a = left, *b = right;
  for (size_t i = 0; i < count; i++) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

size_t strlen(const char *text) {
  size_t length = 0;
  while (text[length]) length++;
  return length;
}
