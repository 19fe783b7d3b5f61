/* madvise_shared — madvise's answers that depend on the mapping (Linux 5.18+, checked on 6.1
 * and the host's kernel). On MAP_SHARED|MAP_ANONYMOUS memory MADV_DONTNEED keeps the data (the
 * pages live on in the shared object), MADV_FREE and MADV_WIPEONFORK are EINVAL, MADV_REMOVE
 * frees the pages (they read back zero), even on a read-only mapping (Linux asks for VM_MAYWRITE,
 * which shared anonymous memory always has). On
 * private memory MADV_REMOVE is EINVAL and MADV_DONTNEED_LOCKED (24) drops the pages like
 * MADV_DONTNEED. MADV_POPULATE_READ/WRITE need PROT_READ / PROT_WRITE: EINVAL otherwise. */
#include "rt.h"

#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_WIPEONFORK 18
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_DONTNEED_LOCKED 24

static long map_shared(unsigned long len, long prot)
{
    return sys_mmap(0, len, prot, MAP_SHARED | MAP_ANONYMOUS);
}

/* How many bytes of [p, p + len) hold `value`. */
static unsigned long count(long p, unsigned long len, unsigned char value)
{
    volatile unsigned char *m = (volatile unsigned char *)p;
    unsigned long n = 0;
    for (unsigned long i = 0; i < len; i += 64) n += m[i] == value;
    return n;
}

static void fill(long p, unsigned long len, unsigned char value)
{
    volatile unsigned char *m = (volatile unsigned char *)p;
    for (unsigned long i = 0; i < len; i += 64) m[i] = value;
}

int main(void)
{
    unsigned long len = 4 * PAGE, all = len / 64;
    long shared = map_shared(len, RW);
    long priv = map_anon(len, RW);
    long shared_ro = map_shared(PAGE, PROT_READ);
    long none = map_anon(PAGE, PROT_NONE);
    long ro = map_anon(PAGE, PROT_READ);
    long wo = map_anon(PAGE, PROT_WRITE);
    if (!expect_ok(shared, "mmap shared") || !expect_ok(priv, "mmap private")
        || !expect_ok(shared_ro, "mmap shared read-only") || !expect_ok(none, "mmap PROT_NONE")
        || !expect_ok(ro, "mmap read-only") || !expect_ok(wo, "mmap write-only"))
        return finish("madvise_shared");

    fill(shared, len, 0xab);
    expect(sys_madvise(shared, len, MADV_DONTNEED), 0, "MADV_DONTNEED on shared memory");
    check(count(shared, len, 0xab) == all, "shared memory keeps its data after MADV_DONTNEED");
    expect(sys_madvise(shared, len, MADV_DONTNEED_LOCKED), 0, "MADV_DONTNEED_LOCKED on shared memory");
    check(count(shared, len, 0xab) == all, "shared memory keeps its data after MADV_DONTNEED_LOCKED");
    expect(sys_madvise(shared, len, MADV_FREE), -EINVAL, "MADV_FREE on shared memory -> EINVAL");
    expect(sys_madvise(shared, len, MADV_WIPEONFORK), -EINVAL, "MADV_WIPEONFORK on shared memory -> EINVAL");
    check(count(shared, len, 0xab) == all, "shared memory keeps its data after the refusals");
    expect(sys_madvise(shared, PAGE, MADV_REMOVE), 0, "MADV_REMOVE on the first shared page");
    check(count(shared, PAGE, 0) == PAGE / 64, "the removed page reads zero");
    check(count(shared + PAGE, len - PAGE, 0xab) == all - PAGE / 64, "the other shared pages keep their data");
    expect(sys_madvise(shared_ro, PAGE, MADV_REMOVE), 0, "MADV_REMOVE on read-only shared memory");

    fill(priv, len, 0xcd);
    expect(sys_madvise(priv, len, MADV_REMOVE), -EINVAL, "MADV_REMOVE on private memory -> EINVAL");
    check(count(priv, len, 0xcd) == all, "private memory keeps its data after the refused MADV_REMOVE");
    expect(sys_madvise(priv, PAGE, MADV_DONTNEED_LOCKED), 0, "MADV_DONTNEED_LOCKED on private memory");
    check(count(priv, PAGE, 0) == PAGE / 64, "MADV_DONTNEED_LOCKED drops the private page");
    check(count(priv + PAGE, len - PAGE, 0xcd) == all - PAGE / 64, "the other private pages keep their data");
    expect(sys_madvise(priv, len, MADV_WIPEONFORK), 0, "MADV_WIPEONFORK on private memory");
    expect(sys_madvise(priv, len, MADV_FREE), 0, "MADV_FREE on private memory");

    expect(sys_madvise(none, PAGE, MADV_POPULATE_READ), -EINVAL, "MADV_POPULATE_READ on PROT_NONE -> EINVAL");
    expect(sys_madvise(none, PAGE, MADV_POPULATE_WRITE), -EINVAL, "MADV_POPULATE_WRITE on PROT_NONE -> EINVAL");
    expect(sys_madvise(ro, PAGE, MADV_POPULATE_WRITE), -EINVAL, "MADV_POPULATE_WRITE on read-only -> EINVAL");
    expect(sys_madvise(ro, PAGE, MADV_POPULATE_READ), 0, "MADV_POPULATE_READ on read-only");
    expect(sys_madvise(wo, PAGE, MADV_POPULATE_READ), -EINVAL, "MADV_POPULATE_READ on write-only -> EINVAL");
    expect(sys_madvise(wo, PAGE, MADV_POPULATE_WRITE), 0, "MADV_POPULATE_WRITE on write-only");

    long fresh = map_anon(len, RW);
    if (expect_ok(fresh, "mmap fresh RW")) {
        long before = minor_faults();
        expect(sys_madvise(fresh, len, MADV_POPULATE_WRITE), 0, "MADV_POPULATE_WRITE on RW");
        long after = minor_faults();
        check(after - before >= 4, "MADV_POPULATE_WRITE faults every page in");
        check(count(fresh, len, 0) == all, "populated pages read zero");
        expect(sys_madvise(fresh, len, MADV_POPULATE_READ), 0, "MADV_POPULATE_READ on RW");
    }
    return finish("madvise_shared");
}
