/* secret.h — the pattern secret_write leaves behind and secret_check must never find. */
#ifndef SECRET_H
#define SECRET_H
#include "rt.h"

/* 16 bytes, chosen so a zeroed or freshly poisoned page can never contain them by accident. */
static const unsigned char SECRET[16] = {
    'S', 'E', 'C', 'R', 'E', 'T', '-', 0x9c, 0x3e, 0x71, 0x05, 0xd2, 'k', 'e', 'y', '!',
};

/* Fills `len` bytes at `p` (16-byte aligned) with the secret. */
static void plant(volatile unsigned char *p, unsigned long len)
{
    for (unsigned long i = 0; i < len; i++) p[i] = SECRET[i & 15];
}

/* Counts 16-byte-aligned copies of the secret and non-zero bytes in `len` bytes at `p`. */
static void scan(volatile unsigned char *p, unsigned long len, unsigned long *copies, unsigned long *nonzero)
{
    for (unsigned long i = 0; i < len; i += 16) {
        int same = 1;
        for (unsigned long j = 0; j < 16; j++) {
            unsigned char c = p[i + j];
            *nonzero += c != 0;
            same &= c == SECRET[j];
        }
        *copies += (unsigned long)same;
    }
}
#endif
