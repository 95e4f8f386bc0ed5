"""integerize: option and input errors, overflow refusal and saturation, range analysis,
weights, per-op rules, and agreement with the float graph on small networks."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_integerize_props import check

from snnc.backends.reference import ExecutionError, encode_inputs, run
from snnc.errors import ConfigError, SnncError
from snnc.ir import Graph, load, parse, print_graph, verify
from snnc.passes import parse_pipeline, run_pipeline
from snnc.passes.integerize import Integerize, StateOverflowError, report
from snnc.ir.ops.neuron_ranges import analyse
from snnc.passes.integerize.weights import levels

f32 = np.float32
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ir" / "spiking_mlp.snnir"


def spikes(shape, p=0.5, seed=0):
    return (np.random.default_rng(seed).random(shape) < p).astype(np.uint8)


def agreement(g, ig, x, names):
    _, tf = run(g, x, trace=True)
    _, ti = run(ig, encode_inputs(ig, x) if g.inputs[0].attrs["dtype"] == "f32" else x, trace=True)
    return min(float((tf[n] == ti[n]).mean()) for n in names)


def no_floats(g):
    return not any(n.type.dtype.is_float for n in g) and not any(a.dtype.kind == "f" for a in g.params.values())


# ------------------------------------------------------------------ options and inputs
@pytest.mark.parametrize("text,match", [("integerize{frac_bits=-1}", "frac_bits"),
                                        ("integerize{max_state_bits=80}", "max_state_bits"),
                                        ("integerize{weight_bits=1}", "weight_bits"),
                                        ("integerize{frac_bits=x}", "not a valid int")])
def test_bad_options(text, match):
    with pytest.raises(ConfigError, match=match):
        run_pipeline(load(EXAMPLE), text)


def test_needs_timesteps_and_an_input_range():
    g = Graph("g")
    x = g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="x")
    g.add("output", [g.add("linear", [x], params={"weight": np.eye(2, dtype=f32)})], name="y")
    with pytest.raises(ConfigError, match="timesteps"):
        Integerize().apply(g)
    with pytest.raises(ConfigError, match="input_range"):
        Integerize(T=2).apply(g)
    ig = Integerize(T=2, input_range=1.0).apply(g)
    assert ig["x"].attrs["dtype"] == "int<8>" and ig["x"].attrs["scale"] == pytest.approx(1 / 127)


def test_options_round_trip_through_the_pipeline_text():
    (p,) = parse_pipeline("integerize{frac_bits=10,saturate=true,input_range=2.5}")
    assert p == Integerize(frac_bits=10, saturate=True, input_range=2.5)
    assert parse_pipeline(p.spec()) == [p]


# ------------------------------------------------------------------ a small network end to end
def test_example_mlp_is_all_integer_and_agrees():
    g = load(EXAMPLE)
    ig = run_pipeline(g, "integerize").graph
    verify(ig)
    assert no_floats(ig)
    assert {n.op for n in ig} == {"input", "linear", "lif_int", "li_int", "output"}
    x = spikes((4, 200, 16))
    assert agreement(g, ig, x, ["lif1"]) >= 0.999
    stats = check(g, x[:, :50], 4)
    assert stats["values"] > 0


def test_with_and_without_fold_temporal_scale():
    g = load(EXAMPLE)
    x = spikes((4, 200, 16), seed=3)
    for pipeline in ("integerize", "fold-temporal-scale,integerize"):
        ig = run_pipeline(g, pipeline).graph
        assert no_floats(ig)
        assert agreement(g, ig, x, ["lif1"]) >= 0.999, pipeline


def test_integer_graph_prints_and_parses_back():
    for pipeline in ("integerize", "fold-temporal-scale,integerize{frac_bits=6,saturate=true}"):
        ig = run_pipeline(load(EXAMPLE), pipeline).graph
        assert parse(print_graph(ig), ig.params) == ig


def test_report_lists_the_approximations():
    rows = report(run_pipeline(load(EXAMPLE), "integerize").graph)
    by_node = {r["node"]: r for r in rows}
    assert any("threshold rounded" in a for a in by_node["lif1"]["approx"])
    assert by_node["lif1"]["frac_bits"] == 12 and by_node["lif1"]["tie_margin"] > 0
    assert "error_bound" in by_node["y"]


# ------------------------------------------------------------------ overflow and saturation
def wide_if_graph(T=16):
    """uint<8>[32] → linear with all levels 127 → if (reset none): |v| grows to 32·255·127·T."""
    g = Graph("wide", {"timesteps": T})
    x = g.add("input", attrs={"shape": (32,), "dtype": "uint<8>"}, name="x")
    fc = g.add("linear", [x], params={"weight": np.full((4, 32), 127, np.int8),
                                      "scale": np.full((1, 4), 0.001, f32)}, name="fc")
    n = g.add("if", [fc], attrs={"reset": "none"}, params={"threshold": np.full((1, 1), 1000.0, f32)},
              name="acc")
    g.add("output", [n], name="y")
    return g


def test_overflow_is_refused_naming_the_node_and_bits():
    with pytest.raises(StateOverflowError) as e:
        Integerize(max_state_bits=24).apply(wide_if_graph())
    assert e.value.node == "acc" and e.value.bits > 24
    msg = str(e.value)
    assert "%acc" in msg and f"{e.value.bits} bits" in msg and "saturate=true" in msg
    assert isinstance(e.value, SnncError)


def test_frac_bits_are_lowered_to_fit_then_recorded():
    # at f = 12 the state needs 12 + 23 + 1 bits; it fits 32 at f = 8
    ig = Integerize(max_state_bits=32).apply(wide_if_graph())
    node = ig["acc"]
    assert node.attrs["frac_bits"] < 12 and node.attrs["state_bits"] <= 32
    assert any("frac_bits lowered" in a for a in node.meta["integerize"]["approx"])
    with pytest.raises(StateOverflowError):
        Integerize(max_state_bits=32, adapt_frac=False).apply(wide_if_graph())


def test_saturate_compiles_and_clamps():
    ig = Integerize(max_state_bits=24, saturate=True).apply(wide_if_graph())
    node = ig["acc"]
    assert node.attrs["saturate"] and node.attrs["state_bits"] == 24
    x = np.full((16, 2, 32), 255, np.uint8)
    _, tr = run(ig, x, trace=True)
    v = tr["acc#v"]
    assert v.max() == (1 << 23) - 1                      # clamped at the top of int<24>
    with pytest.raises(ExecutionError, match="acc"):    # the same graph without saturation overflows
        bad = ig.copy()
        bad["acc"].attrs["saturate"] = False
        run(bad, x)


def test_analysed_widths_hold_for_extreme_inputs():
    rng = np.random.default_rng(1)
    for trial in range(30):
        T = int(rng.integers(1, 9))
        g = Graph("n", {"timesteps": T})
        x = g.add("input", attrs={"shape": (3,), "dtype": "uint<3>"}, name="x")
        fc = g.add("linear", [x], params={"weight": rng.integers(-3, 4, (2, 3)).astype(np.int8),
                                          "scale": rng.uniform(0.1, 1, (1, 2)).astype(f32),
                                          "bias": rng.uniform(-1, 1, (1, 2)).astype(f32)}, name="fc")
        op = ["lif", "if", "cuba_lif", "li"][trial % 4]
        params = {"threshold": rng.uniform(0.2, 2, (1, 2)).astype(f32)} if op != "li" else {}
        if op in ("lif", "cuba_lif", "li"):
            params["beta"] = rng.uniform(0.3, 1, (T, 1)).astype(f32)
        if op == "cuba_lif":
            params["alpha"] = rng.uniform(0.3, 1, (1, 2)).astype(f32)
        attrs = {} if op == "li" else {"reset": ["none", "subtract", "zero"][trial % 3]}
        n = g.add(op, [fc], attrs=attrs, params=params, name="n")
        g.add("output", [n], name="y")
        ig = Integerize(max_state_bits=64).apply(g)
        for pattern in (np.zeros, lambda s, d: np.full(s, 7, d),
                        lambda s, d: np.tile(np.array([7, 0], d)[:, None, None], (T // 2 + 1, 1, 3))[:T]):
            run(ig, pattern((T, 1, 3), np.uint8))   # raises ExecutionError if a width is too narrow


def test_analyse_matches_a_hand_computation():
    # lif_scaled case: I in [-4, 3] << 8, leak 3 >> 2, bias [-256, 64], θ [512, 1024], subtract, T = 4
    r = analyse(4, (-4, 3), 8, 2, np.array([[3]]), np.array([[512, 1024]]), np.array([[64, -256]]),
                reset="subtract", compare="ge")
    assert (r.lo, r.hi) == (-3500, 1647) and r.bits == 13


# ------------------------------------------------------------------ weights
def test_float_weights_on_a_grid_give_exact_levels():
    rng = np.random.default_rng(0)
    L = rng.integers(-3, 4, (5, 7))
    c = rng.uniform(0.01, 2, (5, 1))
    W = (L * c).astype(f32)
    got, cg, info = levels(W, 2, 8)
    assert "exact" in info["weights"]
    assert np.array_equal(got.reshape(5, 7) * np.sign(cg.reshape(5, 1)), L)
    assert np.allclose(got.reshape(5, 7) * cg.reshape(5, 1), W, rtol=1e-6)
    Wt = (rng.integers(-1, 2, (4, 6)) * 0.37).astype(f32)           # one scale per tensor
    got, cg, info = levels(Wt, 2, 8)
    assert "per-tensor" in info["weights"] and np.abs(got).max() == 1


def test_off_grid_float_weights_are_quantized_and_recorded():
    W = np.random.default_rng(0).standard_normal((6, 9)).astype(f32)
    L, c, info = levels(W, 2, 8)
    assert "lossy" in info["weights"] and np.abs(L).max() == 127
    assert np.abs(L.reshape(6, 9) * c.reshape(6, 1) - W).max() <= c.max() / 2 + 1e-6
    g = Graph("fw", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (9,), "dtype": "spike"}, name="x")
    g.add("output", [g.add("linear", [x], params={"weight": W}, name="fc")], name="y")
    ig = Integerize().apply(g)
    assert ig.params["fc.weight"].dtype == np.int8
    assert any("quantized to 8 bits" in a for a in ig["fc"].meta["integerize"]["approx"])
    check(g, spikes((2, 20, 9)), 2)


def test_negative_scales_flip_weight_rows_per_timestep():
    g = Graph("neg", {"timesteps": 4})
    x = g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], params={"weight": np.array([[1, -1, 1], [1, 1, 0]], np.int8),
                                      "scale": np.array([[0.5, -0.25], [-0.5, 0.25]], f32)}, name="fc")
    n = g.add("lif", [fc], params={"beta": np.array([[0.9]], f32), "threshold": np.array([[0.4]], f32)},
              name="lif")
    g.add("output", [n], name="y")
    ig = Integerize().apply(g)
    w = ig.params[ig["fc"].params["weight"]]
    assert w.shape == (2, 2, 3)                       # a bank: the signs differ between timesteps
    assert np.array_equal(w[0], [[1, -1, 1], [-1, -1, 0]]) and np.array_equal(w[1], [[-1, 1, -1], [1, 1, 0]])
    x = spikes((4, 300, 3), 0.6)
    assert agreement(g, ig, x, ["lif"]) >= 0.999
    check(g, x[:, :40], 4)


# ------------------------------------------------------------------ per-op rules
def test_threshold_on_a_scaled_integer_input_is_exact():
    g = load(Path(__file__).parent / "cases" / "integerize" / "threshold_exact.in.snnir")
    ig = Integerize().apply(g)
    x = np.arange(16, dtype=np.uint8).reshape(1, 16, 1).repeat(3, axis=2)
    assert np.array_equal(run(g, x), run(ig, x))


def test_batchnorm_and_multispike_without_the_fold_passes():
    rng = np.random.default_rng(2)
    g = Graph("bn", {"timesteps": 3})
    x = g.add("input", attrs={"shape": (2, 4, 4), "dtype": "uint<5>", "scale": 0.0625}, name="x")
    xr = g.add("scale", [x], params={"scale": np.full((1, 1, 1, 1), 0.0625, f32)}, name="x_real")
    c = g.add("conv2d", [xr], attrs={"padding": (1, 1)}, name="conv", params={
        "weight": rng.integers(-1, 2, (3, 2, 3, 3)).astype(np.int8),
        "scale": rng.uniform(0.2, 0.6, (1, 3, 1, 1)).astype(f32)})
    bn = g.add("batchnorm", [c], name="bn", params={
        "mean": rng.uniform(-0.2, 0.2, 3).astype(f32), "var": rng.uniform(0.5, 2, 3).astype(f32),
        "weight": np.array([1.2, -0.7, 0.9], f32), "bias": rng.uniform(-0.3, 0.3, 3).astype(f32)})
    s = g.add("multispike", [bn], attrs={"D": 3}, name="ms")
    g.add("output", [s], name="y")
    ig = Integerize().apply(g)
    assert [n.op for n in ig] == ["input", "conv2d", "affine", "multispike_int", "output"]
    assert ig["ms"].attrs["frac_bits"] == 12
    x = np.random.default_rng(0).integers(0, 17, (3, 50, 2, 4, 4)).astype(np.uint8)
    assert agreement(g, ig, x, ["ms"]) >= 0.999
    check(g, x[:, :20], 3)


def test_cuba_offset_current_and_per_channel_output_scale():
    rng = np.random.default_rng(5)
    g = Graph("cuba", {"timesteps": 6})
    x = g.add("input", attrs={"shape": (8,), "dtype": "spike"}, name="x")
    fc = g.add("linear", [x], name="fc", params={"weight": rng.integers(-1, 2, (5, 8)).astype(np.int8),
                                                 "scale": rng.uniform(0.2, 0.5, (1, 5)).astype(f32),
                                                 "bias": rng.uniform(-0.2, 0.4, (1, 5)).astype(f32)})
    n = g.add("cuba_lif", [fc], name="cuba", params={"alpha": np.full((1, 1), 0.6, f32),
                                                     "beta": np.full((1, 1), 0.8, f32),
                                                     "threshold": np.full((1, 1), 0.7, f32)})
    ro = g.add("linear", [n], name="ro", params={"weight": rng.integers(-1, 2, (3, 5)).astype(np.int8),
                                                 "scale": np.array([[0.3, 0.7, 0.45]], f32)})
    g.add("output", [ro], name="y")
    ig = Integerize().apply(g)
    assert ig["cuba"].op == "cuba_lif_int" and "bias" in ig["cuba"].params
    assert ig["y"].operands == ["y.scale"] and ig["y.scale"].op in ("scale", "affine")
    x = spikes((6, 300, 8), 0.4)
    assert agreement(g, ig, x, ["cuba"]) >= 0.999
    check(g, x[:, :40], 6)


def test_add_of_per_channel_scales_and_an_identity_li():
    rng = np.random.default_rng(7)
    g = Graph("res", {"timesteps": 4})
    x = g.add("input", attrs={"shape": (6,), "dtype": "spike"}, name="x")
    a = g.add("linear", [x], name="a", params={"weight": rng.integers(-1, 2, (6, 6)).astype(np.int8),
                                               "scale": rng.uniform(0.1, 0.9, (1, 6)).astype(f32),
                                               "bias": rng.uniform(-0.3, 0.3, (1, 6)).astype(f32)})
    li = g.add("li", [a], name="li", params={"beta": np.full((1, 1), 0.7, f32)})
    s = g.add("add", [a, li], name="sum")
    m = g.add("multispike", [s], attrs={"D": 2}, name="ms")
    g.add("output", [m], name="y")
    ig = Integerize().apply(g)
    assert ig["sum"].type.dtype.kind == "fixed"
    check(g, spikes((4, 60, 6)), 4)
