"""mul and reduce_sum: result types from the operand ranges, broadcasting, and their refusals."""
import numpy as np
import pytest

from snnc.ir import Graph, VerifyError, verify


def two(shape_a, shape_b, dtype="spike"):
    g = Graph("g")
    g.add("input", attrs={"shape": shape_a, "dtype": dtype}, name="a")
    g.add("input", attrs={"shape": shape_b, "dtype": dtype}, name="b")
    return g


def test_mul_types_and_broadcast():
    g = two((2, 4, 3), (2, 1, 3))
    m = g.add("mul", ["a", "b"])
    assert m.type.shape == (2, 4, 3) and str(m.type.dtype) == "uint<1>"      # spike ⊙ spike
    g = two((4, 3), (3,), "int<4>")
    m = g.add("mul", ["a", "b"])
    assert m.type.shape == (4, 3)
    lo, hi = m.type.dtype.range()
    assert lo <= -8 * 7 and hi >= 64 and str(m.type.dtype) == "int<8>"       # [-8,7]² = [-56, 64]
    g = two((3,), (3,), "f32")
    assert str(g.add("mul", ["a", "b"]).type.dtype) == "f32"


def test_reduce_sum_types():
    g = two((2, 4, 3), (1,))
    s = g.add("reduce_sum", ["a"], attrs={"axis": 1, "keepdim": True})
    assert s.type.shape == (2, 1, 3) and str(s.type.dtype) == "uint<3>"
    s = g.add("reduce_sum", ["a"], attrs={"axis": -1})
    assert s.type.shape == (2, 4) and str(s.type.dtype) == "uint<2>"
    g = two((5,), (1,), "int<4>")
    s = g.add("reduce_sum", ["a"], attrs={"axis": 0, "keepdim": True})
    assert s.type.dtype.range()[0] <= -40 and s.type.dtype.range()[1] >= 35


@pytest.mark.parametrize("build, words", [
    (lambda g: g.add("mul", ["a", "b"], name="n"), "do not broadcast"),
    (lambda g: g.add("mul", ["a"], name="n"), "2 operand"),
    (lambda g: g.add("reduce_sum", ["a"], attrs={"axis": 2}, name="n"), "out of range"),
    (lambda g: g.add("reduce_sum", ["a"], name="n"), "needs attribute 'axis'"),
    (lambda g: g.add("reduce_sum", ["b"], attrs={"axis": 0}, name="n"), "keepdim=true"),
])
def test_refusals_name_the_node(build, words):
    g = two((4, 3), (2,))
    with pytest.raises(VerifyError) as e:
        build(g)
        verify(g)
    assert e.value.node == "n" and words in str(e.value)
