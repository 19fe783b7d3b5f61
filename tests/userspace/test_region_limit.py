"""The per-process mapping limit (vm.max_map_count) and a table of that many mappings staying
fast: tests/programs/region_limit.c, on every runner.

The program maps one-page PROT_NONE mappings with gaps until mmap fails, and must get ENOMEM
near the limit it is given; at the limit, a munmap punching a hole and an mprotect splitting a
mapping fail with ENOMEM; then one munmap of the whole span succeeds. Linux's limit is the
host's /proc/sys/vm/max_map_count natively, and its default (65,530) in the Debian guest of
tools/run-linux; ours is RegionTable.defaultMaxMapCount, the same default. On our kernel the
program runs under run-elf's default timeout (60 s); it takes a few seconds.
"""

import re

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary

# Linux's DEFAULT_MAX_MAP_COUNT, and our kernel's limit (RegionTable.defaultMaxMapCount).
DEFAULT_MAX_MAP_COUNT = 65530
# Above this many mappings the native run would take too long and too much kernel memory.
NATIVE_MAX_MAP_COUNT_TESTED = 1 << 20
# The munmap of the whole span: Linux 6.1 under TCG takes about 1 s, ours about 0.15 s, the
# sorted array this replaced did not finish.
SPAN_MUNMAP_MS_LIMIT = 10_000


def expected_limit(runner):
    if runner.name != "native":
        return DEFAULT_MAX_MAP_COUNT
    with open("/proc/sys/vm/max_map_count") as f:
        limit = int(f.read().strip())
    if limit > NATIVE_MAX_MAP_COUNT_TESTED:
        pytest.skip(f"host vm.max_map_count is {limit}: too many mappings to make here")
    return limit


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_region_limit(runner, variant):
    limit = expected_limit(runner)
    result = runner.run(binary(variant, "region_limit"), [str(limit)])
    assert_no_fail(result)
    assert_lines(result, [
        rf"region_limit: \d+ mappings in \d+ ms, then mmap returned -ENOMEM \(limit {limit}\)",
        r"region_limit: all \d+ checks passed",
    ])
    assert_status(result, 0)
    line = next(l for l in result.lines if "munmap of the whole span took" in l)
    took = int(re.search(r"took (\d+) ms", line).group(1))
    assert took < SPAN_MUNMAP_MS_LIMIT, line
