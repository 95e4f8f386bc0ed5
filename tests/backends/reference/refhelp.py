"""Small graph builders shared by the reference-interpreter tests."""
import numpy as np

from snnc.ir import Graph

f32 = np.float32


def arr(values, dtype=f32):
    return np.asarray(values, dtype=dtype)


def single(op, x_shape, x_dtype="f32", attrs=None, params=None, x_scale=None, **kw):
    """input x → op → output y; returns the graph (verified)."""
    g = Graph("g")
    a = {"shape": x_shape, "dtype": x_dtype}
    if x_scale is not None:
        a["scale"] = x_scale
    g.add("input", attrs=a, name="x")
    n = g.add(op, ["x"], attrs=attrs or {}, params=params or {}, name="n", **kw)
    g.add("output", [n], name="y")
    g.verify()
    return g


def seq(values, dtype=f32):
    """A [T] sequence as the input [T, B=1, 1]."""
    return np.asarray(values, dtype=dtype).reshape(-1, 1, 1)


def p1(value, dtype=f32, rank=1):
    """A static scalar broadcast parameter for a value of the given rank: shape (1,)*(rank+1)."""
    return np.full((1,) * (rank + 1), value, dtype)
