"""mul and reduce_sum through onnxruntime: Mul (with Unsqueeze for a lower-rank operand) and ReduceSum."""
import numpy as np
import onnx
import pytest

from snnc.backends import get_target
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

from onnxhelp import bits_equal


def graph(keepdim):
    """x [H, N, C] → a = Σ_N x (keepdim) → x ⊙ a;  s = Σ_H Σ_N x [C] ⊙ (x ⊙ a), broadcast from rank 1 → Σ_C."""
    g = Graph("g")
    g.add("input", attrs={"shape": (2, 4, 3), "dtype": "f32"}, name="x")
    a = g.add("reduce_sum", ["x"], attrs={"axis": 1, "keepdim": True}, name="a")
    m = g.add("mul", ["x", a], name="m")
    hs = g.add("reduce_sum", ["x"], attrs={"axis": 0}, name="hs")          # [N, C]
    s = g.add("reduce_sum", [hs], attrs={"axis": 0}, name="s")             # [C]
    w = g.add("mul", [s, m], name="w")
    r = g.add("reduce_sum", [w], attrs={"axis": -1, "keepdim": keepdim}, name="r")
    g.add("output", [r], name="y")
    g.verify()
    return g


@pytest.mark.parametrize("keepdim", [False, True])
def test_onnx_equals_reference_bit_for_bit_on_small_integers(tmp_path, keepdim):
    # Small integer values in float32: every product and sum is exact, so any summation order
    # gives the same bits, and the comparison can be equality.
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(3, 2, 2, 4, 3)).astype(np.float32)
    g, t = graph(keepdim), get_target("onnx")
    arts = t.emit(g, tmp_path, {"timesteps": 3})
    onnx.checker.check_model(onnx.load(str(arts["onnx"])), full_check=True)
    got = t.load(tmp_path, g, {"timesteps": 3}).run(x)
    want = reference_run(g, x)
    assert got.shape == want.shape and bits_equal(got, want)
