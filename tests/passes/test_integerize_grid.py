"""Float weights on a grid (snnc/passes/integerize/grid.py): levels × a scale per tensor or per output
channel are carried exactly as those levels and that scale; one ulp off the grid is off it."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import nirgraphs
from snnc.frontend.nir_import import from_nir
from snnc.input_decl import declare_input
from snnc.passes import run_pipeline
from snnc.passes.integerize import Integerize, report
from snnc.passes.integerize.grid import exact_rows
from snnc.passes.integerize.weights import levels

f32 = np.float32


@st.composite
def grids(draw):
    """(W float32 [rows, n], levels, per-row float32 scales): each row holds the levels +1 and ±K."""
    bits = draw(st.integers(2, 8))
    K = (1 << (bits - 1)) - 1
    rows, n = draw(st.integers(1, 6)), draw(st.integers(3, 40))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    L = rng.integers(-K, K + 1, (rows, n))
    L[:, 0], L[:, 1], L[:, 2] = 1, 1, K * rng.choice([-1, 1], rows)
    exp = draw(st.integers(-20, 10))
    s = (rng.uniform(1.0, 2.0, rows) * 2.0 ** exp).astype(f32)
    return (L.astype(f32) * s[:, None]).astype(f32), L, s


@settings(max_examples=200)
@given(grids())
def test_levels_times_per_channel_scales_round_trip_exactly(case):
    W, L, s = case
    got, c, info = levels(W, 2, 8)
    got, c = got.reshape(W.shape), c.reshape(-1)
    assert "exact" in info["weights"], info
    assert np.array_equal(got, L)
    assert np.array_equal((got * c[:, None]).astype(f32), W)
    assert np.array_equal(c.astype(f32), s)


@settings(max_examples=200)
@given(grids(), st.sampled_from([np.inf, -np.inf]))
def test_one_ulp_off_the_grid_is_not_recognized(case, direction):
    W, _, _ = case
    off = W.copy()
    off[0, 1] = np.nextafter(off[0, 1], f32(direction))   # level 1 like W[0, 0], one ulp away from it
    assert exact_rows(off) is None and exact_rows(off.reshape(1, -1)) is None
    _, _, info = levels(off, 2, 8)
    assert "lossy" in info["weights"]


def test_per_tensor_ternary_and_plain_levels():
    rng = np.random.default_rng(1)
    T = rng.integers(-1, 2, (8, 9))
    for W in ((T * f32(0.05)).astype(f32), T.astype(f32)):
        got, c, info = levels(W, 2, 8)
        assert info["weights"].startswith("float weights on a grid: ternary levels {-1, 0, 1} × a per-tensor scale")
        assert "2 bits per weight" in info["weights"]
        assert np.array_equal(got.reshape(8, 9), T) and np.all(c == float(np.abs(W).max()))


def test_a_ternary_nir_model_becomes_ternary_integer_weights_and_integerize_says_so():
    g = declare_input(from_nir(nirgraphs.mlp(sizes=(64, 96, 10))), timesteps=4, input_type="spike")
    ig = Integerize().apply(run_pipeline(g, "fold-batchnorm,fold-temporal-scale").graph)
    for name in ("fc0", "fc1"):
        w = ig.params[f"{name}.weight"]
        assert w.dtype == np.int8 and set(np.unique(w)) <= {-1, 0, 1}
    rows = {r["node"]: r for r in report(ig)}
    assert "ternary levels {-1, 0, 1} × a per-tensor scale (exact; 2 bits per weight)" in rows["fc0"]["weights"]
    assert rows["fc0"]["approx"] == []


def test_compile_report_says_what_was_recognized(tmp_path):
    import snnc
    path = nirgraphs.write_mlp(tmp_path / "m.nir")
    rows = snnc.compile(path, target="cpu", timesteps=4, input_type="spike").report()["weights"]
    assert [r["node"] for r in rows] == ["fc0", "fc1"]
    assert all("ternary levels {-1, 0, 1}" in r["weights"] and "2 bits per weight" in r["weights"] for r in rows)
