import numpy as np
import pytest

from snnc.ir.types import (F32, SPIKE, DType, TensorType, bits_for_range, fixed, int_, param_dtype,
                           parse_dtype, uint)


@pytest.mark.parametrize("dt", [SPIKE, F32, int_(8), uint(5), fixed(24, 8), int_(1), uint(64)])
def test_dtype_text_round_trip(dt):
    assert parse_dtype(str(dt)) == dt


@pytest.mark.parametrize("text", ["int", "int<0>", "uint<65>", "fixed<8,8>", "f64", "spike<1>", ""])
def test_bad_dtype_text(text):
    with pytest.raises(ValueError):
        parse_dtype(text)


def test_ranges():
    assert SPIKE.range() == (0, 1)
    assert int_(8).range() == (-128, 127)
    assert uint(5).range() == (0, 31)
    assert fixed(16, 4).range() == (-32768, 32767)
    with pytest.raises(ValueError):
        F32.range()


@pytest.mark.parametrize("lo,hi,want", [(0, 1, uint(1)), (0, 2, uint(2)), (-1, 1, int_(2)),
                                        (-128, 127, int_(8)), (-129, 0, int_(9)), (0, 255, uint(8)),
                                        (-1, 128, int_(9))])
def test_bits_for_range(lo, hi, want):
    got = bits_for_range(lo, hi)
    assert got == want
    glo, ghi = got.range()
    assert glo <= lo and hi <= ghi


def test_tensor_type():
    t = TensorType([1, 8, 8], uint(5))
    assert str(t) == "uint<5>[1,8,8]" and t.size == 64
    assert str(TensorType((), F32)) == "f32[]"
    with pytest.raises(ValueError):
        TensorType((0, 3), F32)


def test_param_dtype():
    assert param_dtype(np.zeros(3, np.float32)) == F32
    assert param_dtype(np.zeros(3, np.int8)) == int_(8)
    with pytest.raises(ValueError):
        param_dtype(np.zeros(3, np.complex64))
    with pytest.raises(ValueError):
        DType("int", 0)
