"""integerize on mul / reduce_sum: spike ⊙ spike is copied; float operands get one σ per timestep
(σ_y = σ_a·σ_b) and reduce_sum keeps σ; the integer graph matches the float graph within the bound."""
import numpy as np

from snnc.backends.reference import encode_inputs, run
from snnc.ir import Graph, print_graph
from snnc.passes import run_pipeline


def float_graph():
    """x (f32) → scale 0.5 → s = Σ_N (keepdim); spikes q = x ≥ 0; y = Σ_C (q ⊙ s)."""
    g = Graph("g", {"timesteps": 2})
    g.add("input", attrs={"shape": (2, 4, 3), "dtype": "f32"}, name="x")
    h = g.add("scale", ["x"], params={"scale": np.full((1, 1, 1, 1), 0.5, np.float32)}, name="h")
    s = g.add("reduce_sum", [h], attrs={"axis": 1, "keepdim": True}, name="s")
    q = g.add("threshold", ["x"], params={"threshold": np.zeros((1, 1, 1, 1), np.float32)}, name="q")
    qq = g.add("mul", [q, q], name="qq")                                     # spike ⊙ spike: copied
    m = g.add("mul", [qq, s], name="m")
    r = g.add("reduce_sum", [m], attrs={"axis": -1}, name="r")
    g.add("output", [r], name="y")
    g.verify()
    return g


def test_integerize_mul_reduce_sum_close_to_float():
    g = float_graph()
    out = run_pipeline(g, "integerize{frac_bits=8,input_range=1.0}").graph
    text = print_graph(out)
    assert "%qq = mul(%q, %q)" in text and "f32" not in text.split("%y = output")[0].split("%x = input")[1]
    rng = np.random.default_rng(0)          # kept away from the threshold 0, so no spike flips on rounding
    x = (rng.choice([-1, 1], size=(2, 3, 2, 4, 3)) * rng.uniform(0.1, 1, size=(2, 3, 2, 4, 3))).astype(np.float32)
    want = run(g, x).astype(np.float64)
    got = run(out, encode_inputs(out, x))
    got = got.astype(np.float64) * out["y"].attrs["scale"] if got.dtype.kind in "iu" else got
    assert np.abs(got - want).max() <= 0.05 * (1 + np.abs(want).max())
