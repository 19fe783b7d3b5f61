"""tests/programs/file_advice.c: fadvise64's answers (coreutils' sort calls it), natively and
on our kernel."""

import pytest

from test_programs import assert_lines, assert_no_fail, assert_status, binary


@pytest.mark.parametrize("variant", ["musl", "raw"])
def test_file_advice(runner, variant):
    result = runner.run(binary(variant, "file_advice"))
    assert_no_fail(result)
    assert_lines(result, [r"file_advice: all \d+ checks passed"])
    assert_status(result, 0)
