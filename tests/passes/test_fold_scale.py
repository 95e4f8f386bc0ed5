"""fold-scale: static float scale / affine ops fold into the linear or conv2d next to them (the
numbers below are dyadic, so every product is exact in float32), time-varying ones stay, and
random graphs keep their reference outputs (up to float ties, see passhelp)."""
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from passhelp import compare
from snnc.ir import Graph
from snnc.passes import run_pipeline

f32, i8 = np.float32, np.int8
W = np.array([[1, 0, -1], [1, 1, 0]], i8)


def a(values, dtype=f32):
    return np.array(values, dtype)


def lif(g, v):
    rank = len(g[v].type.shape)
    g.add("lif", [v], params={"beta": np.full((1,) * (rank + 1), 0.5, f32),
                              "threshold": np.ones((1,) * (rank + 1), f32)}, name="n")
    g.add("output", ["n"], name="y")
    return g.verify()


def test_a_scale_and_an_affine_after_a_layer_fold_into_its_scale_and_bias():
    # s' = [0.5, 0.25]·[2, 4]·[0.5, 0.5] = [0.5, 0.5];  b' = ([1, -1]·[2, 4] + 0)·0.5 + [0.25, 0.5] = [1.25, -1.5]
    g = Graph("after", {"timesteps": 2})
    g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], params={"weight": W, "scale": a([[0.5, 0.25]]), "bias": a([[1.0, -1.0]])}, name="fc")
    g.add("scale", ["fc"], params={"scale": a([[2.0, 4.0]])}, name="s")
    g.add("affine", ["s"], params={"scale": a([[0.5]]), "bias": a([[0.25, 0.5]])}, name="af")
    h = run_pipeline(lif(g, "af"), "fold-scale").graph
    assert [n.op for n in h] == ["input", "linear", "lif", "output"] and h["n"].operands == ["fc"]
    assert np.array_equal(h.param("fc", "scale"), a([[0.5, 0.5]]))
    assert np.array_equal(h.param("fc", "bias"), a([[1.25, -1.5]]))
    assert h.param("fc", "weight").dtype == i8                            # the levels stay levels


def test_a_per_tensor_input_scale_keeps_integer_levels():
    g = Graph("input_scale", {"timesteps": 2})
    g.add("input", attrs={"shape": (3,), "dtype": "uint<5>", "scale": 0.0625}, name="x")
    g.add("scale", ["x"], params={"scale": a([[0.0625]])}, name="xs")
    g.add("linear", ["xs"], params={"weight": W, "scale": a([[0.5, 0.25]])}, name="fc")
    h = run_pipeline(lif(g, "fc"), "fold-scale").graph
    assert "xs" not in h and h["fc"].operands == ["x"] and h.param("fc", "weight").dtype == i8
    assert np.array_equal(h.param("fc", "scale"), a([[0.03125, 0.015625]]))


def test_a_gain_per_input_or_per_channel_goes_into_the_weight():
    g = Graph("columns", {"timesteps": 2})
    g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    g.add("scale", ["x"], params={"scale": a([[2.0, 0.5, 4.0]])}, name="xs")
    g.add("linear", ["xs"], params={"weight": W}, name="fc")
    h = run_pipeline(lif(g, "fc"), "fold-scale").graph
    assert "xs" not in h and np.array_equal(h.param("fc", "weight"), a([[2, 0, -4], [2, 0.5, 0]]))

    c = Graph("channels", {"timesteps": 2})
    c.add("input", attrs={"shape": (4, 3, 3), "dtype": "spike"}, name="x")
    c.add("scale", ["x"], params={"scale": a([1.0, 2.0, 4.0, 8.0]).reshape(1, 4, 1, 1)}, name="xs")
    c.add("conv2d", ["xs"], {"groups": 2}, {"weight": np.ones((2, 2, 1, 1), i8)}, name="conv")
    h = run_pipeline(lif(c, "conv"), "fold-scale").graph        # group 0 reads channels 0-1, group 1 2-3
    assert np.array_equal(h.param("conv", "weight")[:, :, 0, 0], a([[1, 2], [4, 8]]))


def test_time_varying_and_shared_values_are_left_as_they_are():
    g = Graph("kept", {"timesteps": 2})
    g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    g.add("scale", ["x"], params={"scale": a([[2.0], [4.0]])}, name="xs")            # per timestep
    g.add("linear", ["xs"], params={"weight": W}, name="fc")
    g.add("scale", ["fc"], params={"scale": a([[2.0]])}, name="s")
    g.add("output", ["fc"], name="side")                                             # fc has two users
    g = lif(g, "s")
    assert run_pipeline(g, "fold-scale").graph == g


FLOAT_OPS = strategies.FLOAT_OPS + ("scale", "affine")
SEEN = Counter()


@settings(max_examples=120)
@given(strategies.graphs_and_inputs(float_ops=True, integer=False, ops=FLOAT_OPS, max_outputs=2))
def test_fold_scale_keeps_outputs_on_random_graphs(case):
    g, x = case
    compare(g, run_pipeline(g, "fold-scale").graph, x)


@st.composite
def gains_around_a_layer(draw):
    """x → [scale] → linear | conv2d (groups 1 or 2) → scale / affine … → lif → output, each gain static
    or per timestep, per tensor, per channel or per element."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    conv = draw(st.booleans())
    shape = (4, 3, 3) if conv else (5,)
    g = Graph("gains", {"timesteps": 3})
    v = g.add("input", attrs={"shape": shape, "dtype": "spike"}, name="x").name

    def gain(shape):
        T = draw(st.sampled_from([1, 1, 2]))
        mode = draw(st.sampled_from(["tensor", "channel", "element"]))
        dims = {"tensor": (1,) * len(shape), "element": tuple(shape),
                "channel": (shape[0],) + (1,) * (len(shape) - 1) if conv else tuple(shape)}[mode]
        return rng.uniform(0.25, 2.0, (T,) + dims).astype(f32)

    if draw(st.booleans()):
        v = g.add("scale", [v], params={"scale": gain(shape)}, name="xs").name
    if conv:
        groups = draw(st.sampled_from([1, 2]))
        v = g.add("conv2d", [v], {"padding": (1, 1), "groups": groups},
                  {"weight": rng.integers(-1, 2, (4, 4 // groups, 3, 3)).astype(i8),
                   "scale": a([0.5, 0.25, 1.0, 2.0]).reshape(1, 4, 1, 1)}, name="layer").name
    else:
        v = g.add("linear", [v], params={"weight": rng.integers(-1, 2, (3, 5)).astype(i8),
                                         "scale": a([[0.5, 0.25, 1.0]])}, name="layer").name
    out = tuple(g[v].type.shape)
    for i in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["scale", "affine"]))
        params = {"scale": gain(out)} | ({"bias": gain(out) - 1} if op == "affine" else {})
        v = g.add(op, [v], params=params, name=f"g{i}").name
    return lif(g, v)


@settings(max_examples=150)
@given(gains_around_a_layer(), st.integers(0, 2**32 - 1))
def test_gains_around_a_layer_fold_and_keep_outputs(g, seed):
    h = run_pipeline(g, "fold-scale").graph
    for n in h:
        static = n.op in ("scale", "affine") and all(h.param(n, r).shape[0] == 1 for r in n.params)
        if static:      # left only when it reads no layer, or is a gain on a conv input not per channel
            assert h[n.operands[0]].op not in ("linear", "conv2d")
            assert n.name != "xs" or (h["layer"].op == "conv2d" and h.param(n, "scale").shape[2:] != (1, 1))
        SEEN[n.meta.get("fold-scale", "").split(" %")[0]] += 1
    x = strategies.random_inputs(g, 3, 4, np.random.default_rng(seed))
    SEEN[compare(g, h, x)] += 1


def test_the_strategies_reach_every_fold():
    assert SEEN["folded"] and SEEN["folded the input gain"] and SEEN["equal"], SEEN
