/* stdin_argv [ARGS...]: prints argc, every argument in hex (so spaces, commas, quotes and empty
 * strings show exactly), then reads standard input to end of file and prints its length and
 * FNV-1a 64 hash. tests/system/test_rootfs.py compares that with what it fed tools/run-elf. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++) {
        printf("argv[%d] =", i);
        for (const char *c = argv[i]; *c; c++) printf(" %02x", (unsigned char)*c);
        printf("\n");
    }
    static char buffer[65536];
    uint64_t hash = 0xcbf29ce484222325ull, total = 0;
    for (;;) {
        ssize_t n = read(0, buffer, sizeof buffer);
        if (n <= 0) { if (n < 0) perror("read"); break; }
        for (ssize_t i = 0; i < n; i++) hash = (hash ^ (unsigned char)buffer[i]) * 0x100000001b3ull;
        total += (uint64_t)n;
    }
    printf("stdin %llu bytes, fnv1a %016llx\n", (unsigned long long)total, (unsigned long long)hash);
    return 0;
}
