// Port I/O (Intel SDM Vol. 2, IN and OUT): one read and one write per operand size, all made by
// one macro so the three widths cannot drift apart. The port goes in DX or as an immediate
// ("Nd"), the value in AL/AX/EAX ("a"); "memory" keeps the compiler from moving loads and
// stores of device-shared memory across the access.
#ifndef PORT_IO_H
#define PORT_IO_H

#include <stdint.h>

// port_write_NAME(port, value): OUT DX, AL/AX/EAX. port_read_NAME(port): IN AL/AX/EAX, DX.
#define PORT_IO_ACCESSORS(NAME, TYPE, SUFFIX)                                          \
  static inline void port_write_##NAME(uint16_t port, TYPE value) {                    \
    __asm__ volatile("out" SUFFIX " %0, %1" : : "a"(value), "Nd"(port) : "memory");    \
  }                                                                                    \
  static inline TYPE port_read_##NAME(uint16_t port) {                                 \
    TYPE value;                                                                        \
    __asm__ volatile("in" SUFFIX " %1, %0" : "=a"(value) : "Nd"(port) : "memory");     \
    return value;                                                                      \
  }

PORT_IO_ACCESSORS(byte, uint8_t, "b")    // port_write_byte, port_read_byte
PORT_IO_ACCESSORS(word, uint16_t, "w")   // port_write_word, port_read_word
PORT_IO_ACCESSORS(dword, uint32_t, "l")  // port_write_dword, port_read_dword

#undef PORT_IO_ACCESSORS

#endif
