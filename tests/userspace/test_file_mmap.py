"""tests/programs/file_mmap.c: mmap of a file — the program's own file (issue 11 §2):
MAP_PRIVATE (read-only, writable copy-on-write, across fork, MADV_DONTNEED back to the file),
MAP_SHARED read-only, page offsets, mprotect/munmap of parts, MAP_FIXED over file mappings,
mremap, zeros past the end of the file in its last page and SIGBUS (BUS_ADRERR, si_addr) past
it, /dev/zero, and Linux's errno for what cannot be mapped; natively and on our kernel."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_file_mmap(runner, variant):
    result = runner.run(binary(variant, "file_mmap"))
    assert_no_fail(result)
    assert_lines(result, [
        r"file_mmap: private, shared, partial and past-the-end mappings of a \d+-byte file",
        r"file_mmap: all \d+ checks passed",
    ])
    assert_status(result, 0)
