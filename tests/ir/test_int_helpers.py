"""The IR's integer helpers every backend and pass shares: maxabs, signed_bits, size_of."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from snnc.ir.types import SPIKE, TensorType, bits_for_range, fixed, int_, maxabs, signed_bits, size_of, uint


def test_maxabs_of_types_numbers_and_arrays():
    assert maxabs(int_(8)) == 128 and maxabs(uint(64)) == 2 ** 64 - 1 and maxabs(SPIKE) == 1
    assert maxabs(fixed(24, 8)) == 2 ** 23
    assert maxabs(-5, 3) == 5 and maxabs() == 0 and maxabs(None) == 0 and maxabs(np.int64(-7)) == 7
    assert maxabs(np.zeros((0, 3), np.int8)) == 0
    big = maxabs(np.array([-(2 ** 63), 5], np.int64))
    assert big == 2 ** 63 and isinstance(big, int)
    assert maxabs(np.array([2 ** 64 - 1], np.uint64)) == 2 ** 64 - 1
    assert maxabs(np.array([1.5, -2.5], np.float32)) == 2.5
    assert maxabs(np.array([3, -4]), int_(2), None, 1) == 4


@given(st.integers(-2 ** 70, 2 ** 70), st.integers(0, 2 ** 70))
def test_signed_bits_is_the_narrowest_twos_complement_width(lo, span):
    hi = lo + span
    k = signed_bits(lo, hi)
    assert -(1 << (k - 1)) <= lo and hi <= (1 << (k - 1)) - 1
    assert k == 1 or lo < -(1 << (k - 2)) or hi > (1 << (k - 2)) - 1
    if lo < 0 and k <= 64:
        assert bits_for_range(lo, hi) == int_(k)


def test_size_of_is_the_tensor_size():
    assert size_of(()) == 1 and size_of((2, 3, 4)) == 24
    assert TensorType((2, 3, 4), SPIKE).size == 24 and TensorType((), SPIKE).size == 1
