"""mul and reduce_sum in the reference interpreter: against NumPy, integer (exact) and float32."""
import numpy as np
import pytest

from snnc.backends.reference import run
from snnc.ir import Graph


def attention_like(dtype):
    """x [H, N, C] → A = Σ_N x (keepdim) → x ⊙ A → Σ_C → y [H, N]."""
    g = Graph("g")
    g.add("input", attrs={"shape": (2, 4, 3), "dtype": dtype}, name="x")
    a = g.add("reduce_sum", ["x"], attrs={"axis": 1, "keepdim": True}, name="a")
    m = g.add("mul", ["x", a], name="m")
    r = g.add("reduce_sum", [m], attrs={"axis": -1}, name="r")
    g.add("output", [r], name="y")
    g.verify()
    return g


def numpy_form(x):
    a = x.sum(axis=3, keepdims=True)
    return (x * a).sum(axis=-1)


@pytest.mark.parametrize("dtype, lo, hi", [("spike", 0, 2), ("int<6>", -32, 32)])
def test_integer_exact(dtype, lo, hi):
    x = np.random.default_rng(0).integers(lo, hi, size=(3, 2, 2, 4, 3))     # [T, B, H, N, C]
    y = run(attention_like(dtype), x)
    assert y.dtype.kind in "iu" and np.array_equal(y, numpy_form(x.astype(np.int64)))


def test_float32():
    x = np.random.default_rng(1).standard_normal((2, 2, 2, 4, 3)).astype(np.float32)
    y = run(attention_like("f32"), x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, numpy_form(x.astype(np.float64)), rtol=1e-5, atol=1e-5)


def test_mul_broadcasts_a_lower_rank_operand():
    g = Graph("g")
    g.add("input", attrs={"shape": (4, 3), "dtype": "int<4>"}, name="x")
    c = g.add("reduce_sum", ["x"], attrs={"axis": 0}, name="c")            # [3]
    g.add("output", [g.add("mul", ["x", c], name="m")], name="y")
    x = np.random.default_rng(2).integers(-8, 8, size=(2, 1, 4, 3))
    assert np.array_equal(run(g, x), x * x.sum(axis=2, keepdims=True))
