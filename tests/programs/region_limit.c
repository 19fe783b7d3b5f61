/* region_limit [MAX_MAP_COUNT] — the per-process mapping limit (vm.max_map_count), and that a
 * table of that many mappings stays fast.
 *
 * One 4-page PROT_NONE mapping, then one-page PROT_NONE mappings with a free page between
 * neighbours (so none merge), each MAP_FIXED_NOREPLACE at the next address, until mmap fails:
 * it must fail with ENOMEM, after a count within REGION_SLACK of MAX_MAP_COUNT (default
 * 65,530, Linux's DEFAULT_MAX_MAP_COUNT; the harness passes the host's
 * /proc/sys/vm/max_map_count natively) — the program's own segments, stack and vDSO count too,
 * and Linux lets the count reach one past the limit. At the limit: munmap punching a hole in
 * the 4-page mapping → ENOMEM (it would add a mapping) and mprotect of its middle page → ENOMEM
 * (a split), both leaving it mapped; munmap of its first page (no new mapping) works. One
 * mapping below the limit, mremap moving a middle page out → ENOMEM (Linux's move_vma wants
 * room for 3 more), the data still in place. Then one munmap of the whole span → 0 (its time is
 * printed), and a fresh mmap works. */
#include "rt.h"

/* Where the mappings go: far from the program, its heap, its stack and mmap's usual area. */
#define SPAN_BASE 0x100000000000UL
/* How far below the limit the count may stop: the mappings the program starts with. */
#define REGION_SLACK 64
/* Linux's DEFAULT_MAX_MAP_COUNT (include/linux/mm.h: USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN). */
#define DEFAULT_MAX_MAP_COUNT 65530UL
#define MREMAP_MAYMOVE 1
/* The first mapping's size: a middle page to punch, split and move out. */
#define FIRST_PAGES 4

static long map_at(unsigned long address, unsigned long length)
{
    return sys_mmap(address, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE);
}

static long now_ms(void)
{
    struct rt_timespec t;
    if (sys2(NR_clock_gettime, CLOCK_MONOTONIC, &t) != 0) return 0;
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    unsigned long limit = rt_parse(argc > 1 ? argv[1] : 0, DEFAULT_MAX_MAP_COUNT);
    unsigned long first = SPAN_BASE;
    if (!expect(map_at(first, FIRST_PAGES * PAGE), (long)first, "mmap of the 4-page mapping"))
        return finish("region_limit");

    long started = now_ms();
    unsigned long count = 1, next = first + (FIRST_PAGES + 1) * PAGE;
    long last;
    for (;;) {
        last = map_at(next, PAGE);
        if (last != (long)next) break;
        count++;
        next += 2 * PAGE;
        if (count > limit + REGION_SLACK) break; /* no limit at all: stop, fail below */
    }
    say("region_limit: %lu mappings in %ld ms, then mmap returned %E (limit %lu)", count,
        now_ms() - started, last, limit);
    expect(last, -ENOMEM, "mmap past the limit -> ENOMEM");
    check(count + REGION_SLACK >= limit && count <= limit + 1,
          "the count reached is the limit, less the program's own mappings");

    expect(sys_munmap(first + PAGE, PAGE), -ENOMEM, "munmap punching a hole at the limit -> ENOMEM");
    expect(sys_mprotect(first + PAGE, PAGE, PROT_READ), -ENOMEM,
           "mprotect splitting a mapping at the limit -> ENOMEM");
    expect(sys_mprotect(first, FIRST_PAGES * PAGE, RW), 0, "the 4-page mapping is still whole");
    volatile unsigned char *kept = (volatile unsigned char *)first;
    check(kept[PAGE] == 0, "its middle page is still mapped and reads zero");
    expect(sys_munmap(first, PAGE), 0, "munmap of its first page (no new mapping) works");
    expect(map_at(next, PAGE), -ENOMEM, "still at the limit: the count did not go down");

    expect(sys_munmap(next - 2 * PAGE, PAGE), 0, "munmap of the last one-page mapping");
    kept[2 * PAGE] = 77;
    expect(sys6(NR_mremap, (long)(first + 2 * PAGE), (long)PAGE, (long)(2 * PAGE), MREMAP_MAYMOVE, 0, 0),
           -ENOMEM, "mremap moving a middle page out, near the limit -> ENOMEM");
    check(kept[2 * PAGE] == 77 && kept[PAGE] == 0 && kept[3 * PAGE] == 0,
          "the refused mremap left the mapping and its data in place");

    started = now_ms();
    expect(sys_munmap(first, next - first), 0, "one munmap of the whole span");
    say("region_limit: munmap of the whole span took %ld ms", now_ms() - started);
    long fresh = map_anon(PAGE, RW);
    if (expect_ok(fresh, "a fresh mmap after the munmap")) {
        volatile unsigned char *page = (volatile unsigned char *)fresh;
        page[0] = 42;
        check(page[0] == 42, "the fresh mapping is writable");
    }
    expect(map_at(first, PAGE), (long)first, "the span is free again");
    return finish("region_limit");
}
