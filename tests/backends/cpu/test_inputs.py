"""Wrong inputs to `run()` and `run_raw()` are clear Python errors naming the input and what it
takes, never a crash of the C code."""
import numpy as np
import pytest

from snnc.backends import get_target
from snnc.backends.reference import run as reference_run
from snnc.backends.target import TargetError
from test_threads import net

@pytest.fixture(scope="module")
def runner():
    return get_target("cpu").load(None, net(), {"opt": 0})


@pytest.mark.parametrize("x, message", [
    (np.zeros((2, 3, 99)), r"expects an array \[T, B, 100\] of spike; got shape \[2, 3, 99\]"),
    (np.zeros((3, 100)), r"got shape \[3, 100\]"),
    (np.zeros((2, 0, 100)), r"got shape \[2, 0, 100\]"),
    (np.zeros((2, 3, 100)) + 0.5, "non-integer values"),
    (np.full((2, 3, 100), np.nan), "non-integer values"),
    (np.full((2, 3, 100), 2), r"spike values in \[0, 1\]"),
    (np.zeros((2, 3, 100), complex), "complex128"),
    (np.zeros((2, 3, 100), object), "object"),
    (np.array([[["a"] * 100] * 3] * 2), "<U1"),
    ({"z": np.zeros((2, 3, 100))}, "missing x; unknown z"),
])
def test_run_refuses_wrong_shape_dtype_or_values(runner, x, message):
    with pytest.raises(Exception, match=message) as e:
        runner.run(x)
    assert "x" in str(e.value)


@pytest.mark.parametrize("raw, message", [
    ([np.zeros((2, 3, 99), np.uint8)], r"input 'x' has shape \[2, 3, 99\]; expected \[T, B, 100\]"),
    ([np.zeros((3, 100), np.uint8)], r"has shape \[3, 100\]"),
    ([np.zeros((0, 3, 100), np.uint8)], r"with T, B ≥ 1"),
    ([np.zeros((2, 3, 100), np.float32)], "array of float32; it takes raw integers"),
    ([np.zeros((2, 3, 100), np.uint8)] * 2, r"list of 1 array\(s\)"),
    (np.zeros((2, 3, 100), np.uint8), r"list of 1 array\(s\)"),
    ([], r"list of 1 array\(s\)"),
])
def test_run_raw_refuses_wrong_arrays(runner, raw, message):
    with pytest.raises(TargetError, match=message):
        runner.run_raw(raw)


def test_good_inputs_still_run(runner):
    x = np.random.default_rng(3).integers(0, 2, (2, 3, 100))
    assert np.array_equal(runner.run(x), reference_run(runner.graph, x))
    assert np.array_equal(runner.run_raw([x.astype(np.uint8)])[0], reference_run(runner.graph, x))
