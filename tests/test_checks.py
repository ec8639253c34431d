"""The one argument check: counts must be integers (not floats or bools) of at least a minimum."""

from __future__ import annotations

import pytest

from cnnbook import checks


@pytest.mark.parametrize("value", [3.0, True, "3", None])
def test_a_count_must_be_an_integer(value):
    with pytest.raises(TypeError, match="n must be an integer"):
        checks.whole_number("n", value)
    with pytest.raises(ValueError, match="n must be an integer"):  # either can be caught
        checks.whole_number("n", value)


@pytest.mark.parametrize(("minimum", "value", "words"), [(1, 0, "positive, got 0"), (0, -1, "zero or more"),
                                                        (3, 2, "at least 3")])
def test_a_count_must_reach_its_minimum(minimum, value, words):
    with pytest.raises(ValueError, match=words):
        checks.whole_number("n", value, minimum)
    assert checks.whole_number("n", minimum, minimum) == minimum


def test_numbers_and_fractions():
    import numpy as np

    assert checks.whole_number("n", np.int64(4)) == 4 and type(checks.whole_number("n", np.int64(4))) is int
    assert checks.positive_number("stride", 0.5) == 0.5
    assert checks.fraction("iou", 1) == 1.0
    for bad in (0, -1, True, float("nan")):
        with pytest.raises(ValueError, match="stride must be a positive number"):
            checks.positive_number("stride", bad)
    for bad in (1.5, -0.1, False):
        with pytest.raises(ValueError, match=r"iou must be a number in \[0, 1\]"):
            checks.fraction("iou", bad)
