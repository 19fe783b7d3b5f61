/* malloc_stress [rounds] — musl's malloc, realloc and free under a deterministic workload.
 *
 * Keeps 512 live slots; each step frees, allocates or reallocates a random slot with a size from
 * 1 byte to 1 MiB (mostly small, sometimes above musl's mmap threshold), fills every block with a
 * pattern derived from its slot and generation, and checks each block's contents before it is
 * freed or resized (realloc must keep the common prefix). Status 0 when all checks pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static unsigned long long rng = 0x2545f4914f6cdd1dULL;
static unsigned long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned long)rng;
}

static unsigned long pick_size(void)
{
    unsigned long r = next() % 100;
    if (r < 60) return 1 + next() % 256;
    if (r < 90) return 257 + next() % 16384;
    if (r < 98) return 16641 + next() % (256 * 1024);
    return 256 * 1024 + next() % (768 * 1024);
}

struct slot { unsigned char *p; size_t n; unsigned tag; };
static struct slot slots[SLOTS];
static int failures;

static unsigned char byte(unsigned tag, size_t i) { return (unsigned char)(tag * 31 + i * 7 + (i >> 8)); }

static void fill(struct slot *s, size_t from)
{
    for (size_t i = from; i < s->n; i++) s->p[i] = byte(s->tag, i);
}

static int intact(const struct slot *s, size_t upto)
{
    for (size_t i = 0; i < upto && i < s->n; i++)
        if (s->p[i] != byte(s->tag, i)) return 0;
    return 1;
}

static void fail(const char *what, int step, int k)
{
    if (failures++ < 20) printf("FAIL: %s (step %d, slot %d)\n", what, step, k);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20000;
    unsigned long allocated = 0, reallocs = 0, frees = 0;
    for (int step = 0; step < rounds; step++) {
        int k = (int)(next() % SLOTS);
        struct slot *s = &slots[k];
        unsigned long action = next() % 3;
        if (s->p && action == 0) {
            if (!intact(s, s->n)) fail("block corrupted before free", step, k);
            free(s->p);
            s->p = NULL;
            frees++;
        } else if (s->p && action == 1) {
            if (!intact(s, s->n)) fail("block corrupted before realloc", step, k);
            size_t n = pick_size();
            unsigned char *q = realloc(s->p, n);
            if (!q) { fail("realloc returned NULL", step, k); continue; }
            size_t old = s->n;
            s->p = q;
            s->n = n;
            if (!intact(s, old < n ? old : n)) fail("realloc lost the common prefix", step, k);
            fill(s, old < n ? old : n);
            reallocs++;
        } else if (!s->p) {
            s->n = pick_size();
            s->tag = (unsigned)step;
            s->p = malloc(s->n);
            if (!s->p) { fail("malloc returned NULL", step, k); continue; }
            if (((unsigned long)s->p & 15) != 0) fail("malloc result not 16-byte aligned", step, k);
            fill(s, 0);
            allocated++;
        }
    }
    for (int k = 0; k < SLOTS; k++) {
        if (slots[k].p && !intact(&slots[k], slots[k].n)) fail("block corrupted at the end", rounds, k);
        free(slots[k].p);
    }
    void *z = calloc(1000, 1000);
    int zeroed = z != NULL;
    for (int i = 0; z && i < 1000 * 1000; i++) zeroed &= ((unsigned char *)z)[i] == 0;
    if (!zeroed) fail("calloc(1000, 1000) not zeroed", rounds, -1);
    free(z);

    printf("malloc_stress: %lu mallocs, %lu reallocs, %lu frees\n", allocated, reallocs, frees);
    if (failures) {
        printf("malloc_stress: %d checks failed\n", failures);
        return 1;
    }
    printf("malloc_stress: all checks passed\n");
    return 0;
}
