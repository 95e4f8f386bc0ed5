"""IR → NIR → IR round trips (backends/nir/exporter.py, snnc/frontend/nir_import/importer.py).

Every NIR-representable op gets a small graph; random chains mix them. Each graph
must come back equal (`==`: structure, attributes, parameter keys, dtypes and bits)
both in memory and through a file written with ``nir.write`` and read with
``nir.read`` (NIR's type inference and check on).
"""
import numpy as np
import pytest

import nir
from snnc.backends.nir import to_nir
from snnc.frontend.nir_import import from_nir
from snnc.ir import Graph, verify

F = np.float32


def f32(*shape, rng=None, lo=-1.0, hi=1.0):
    rng = rng or np.random.default_rng(0)
    return rng.uniform(lo, hi, shape).astype(F)


def check_round_trip(g: Graph, tmp_path) -> nir.NIRGraph:
    verify(g)
    n = to_nir(g)
    assert n.check_types()
    back = from_nir(n)
    assert back == g, _diff(g, back)
    path = tmp_path / f"{g.name}.nir"
    nir.write(path, n)
    read = nir.read(path, type_check=True)
    read.infer_types()
    assert read.check_types()
    assert from_nir(read) == g
    assert from_nir(str(path)) == g
    return n


def _diff(a, b):
    lines = [f"attrs {a.attrs} vs {b.attrs}", f"keys {sorted(a.params)} vs {sorted(b.params)}"]
    lines += [f"{x.key()}\n  != {y.key()}" for x, y in zip(a, b) if x != y]
    if len(a) != len(b):
        lines.append(f"nodes {list(a.nodes)} vs {list(b.nodes)}")
    for k in a.params.keys() & b.params.keys():
        p, q = a.params[k], b.params[k]
        if p.dtype != q.dtype or p.shape != q.shape or not np.array_equal(p, q):
            lines.append(f"param {k}: {p.dtype}{list(p.shape)} vs {q.dtype}{list(q.shape)}")
    return "\n".join(lines)


def chain(name, shape, dtype="f32", attrs=None):
    g = Graph(name, attrs if attrs is not None else {"dt": 1e-3})
    return g, g.add("input", [], {"shape": shape, "dtype": dtype}, name="x")


# ---------------------------------------------------------------- one graph per op
def test_input_output_dtypes_and_scales(tmp_path):
    g = Graph("io", {})
    a = g.add("input", [], {"shape": (3, 4), "dtype": "int<8>", "scale": 0.5}, name="img")
    b = g.add("input", [], {"shape": (5,), "dtype": "spike"}, name="events")
    g.add("output", [a], {"scale": 0.25}, name="y")
    g.add("output", [b], name="z")
    n = check_round_trip(g, tmp_path)
    assert n.metadata["dt"] == 1e-4 and "dt" not in g.attrs   # the default dt is recorded
    assert n.nodes["img"].metadata["dtype"] == "int<8>"


@pytest.mark.parametrize("variant", ["plain", "bias", "int8_scale_per_out", "scale_bias", "rank2", "rank2_scale"])
def test_linear(variant, tmp_path):
    rng = np.random.default_rng(3)
    rank2 = variant.startswith("rank2")
    g, x = chain("lin", (2, 6) if rank2 else (6,))
    out = (2, 4) if rank2 else (4,)
    params = {"weight": f32(4, 6, rng=rng)}
    if "int8" in variant or variant == "rank2_scale":
        params["weight"] = rng.integers(-1, 2, (4, 6)).astype(np.int8)
    if "scale" in variant:
        params["scale"] = f32(1, *out, lo=0.1, hi=2, rng=rng) if rank2 else \
            (f32(1, 4, lo=0.1, hi=2, rng=rng) if "per_out" in variant else F([[0.37]]))
    if "bias" in variant:
        params["bias"] = f32(1, 1 if variant == "bias" else 4, rng=rng)
    y = g.add("linear", [x], params=params, name="fc")
    g.add("output", [y], name="y")
    n = check_round_trip(g, tmp_path)
    node = n.nodes["fc"]
    assert isinstance(node, nir.Affine if "bias" in variant else nir.Linear)
    if "scale" in params:   # NIR has no scale: it is folded into the weight
        s = np.broadcast_to(params["scale"][0], out)[..., None]
        np.testing.assert_array_equal(node.weight, np.broadcast_to(s * params["weight"].astype(F), node.weight.shape))


def test_float_weight_with_scale_splits_back_exactly(tmp_path):
    # W'/s is within an ulp of W for float weights; the recorded ulp steps make it exact.
    rng = np.random.default_rng(4)
    g, x = chain("linf", (64,))
    w, s = f32(64, 64, rng=rng), f32(1, 64, lo=0.1, hi=3, rng=rng)
    g.add("output", [g.add("linear", [x], params={"weight": w, "scale": s}, name="fc")], name="y")
    n = check_round_trip(g, tmp_path)
    steps = n.nodes["fc"].metadata["snnc_weight_ulps"]
    assert steps.dtype == np.int8 and 0 < np.count_nonzero(steps) and np.abs(steps).max() <= 2


def test_edited_folded_weight_is_kept_folded():
    # Another tool rescaled the weight: the recorded scale no longer splits it, so the
    # import keeps NIR's weight (the truth) and drops the scale.
    rng = np.random.default_rng(5)
    g, x = chain("edit", (6,))
    w, s = rng.integers(-1, 2, (4, 6)).astype(np.int8), F([[0.5]])
    g.add("output", [g.add("linear", [x], params={"weight": w, "scale": s}, name="fc")], name="y")
    n = to_nir(g)
    n.nodes["fc"].weight = n.nodes["fc"].weight * F(1.3)     # 2.6·w: no longer integer levels
    back = from_nir(n)
    assert "scale" not in back["fc"].params
    np.testing.assert_array_equal(back.param("fc", "weight"), n.nodes["fc"].weight)


@pytest.mark.parametrize("scale, bias", [(False, False), (True, True), (True, False)])
def test_conv2d(scale, bias, tmp_path):
    rng = np.random.default_rng(5)
    g, x = chain("conv", (2, 7, 7))
    params = {"weight": rng.integers(-1, 2, (3, 2, 3, 3)).astype(np.int8) if scale else f32(3, 2, 3, 3, rng=rng)}
    if scale:
        params["scale"] = f32(1, 3, 1, 1, lo=0.1, hi=1, rng=rng)
    if bias:
        params["bias"] = f32(1, 3, 1, 1, rng=rng)
    y = g.add("conv2d", [x], {"stride": (2, 2), "padding": (1, 1), "dilation": (1, 1)}, params, name="c1")
    z = g.add("conv2d", [y], {"padding": (1, 1), "dilation": (2, 2)}, {"weight": f32(2, 3, 3, 3, rng=rng)}, name="c2")
    g.add("output", [z], name="y")
    n = check_round_trip(g, tmp_path)
    assert tuple(n.nodes["c1"].input_shape) == (7, 7)


@pytest.mark.parametrize("op", ["sumpool2d", "avgpool2d"])
def test_pooling(op, tmp_path):
    g, x = chain("pool", (2, 6, 6), "spike")
    p = g.add(op, [x], {"kernel": (2, 2)}, name="p")
    q = g.add(op, [p], {"kernel": (3, 3), "stride": (1, 1), "padding": (1, 1)}, name="q")
    g.add("output", [q], name="y")
    n = check_round_trip(g, tmp_path)
    assert isinstance(n.nodes["p"], nir.SumPool2d if op == "sumpool2d" else nir.AvgPool2d)


@pytest.mark.parametrize("start", [0, 1, 2])
def test_flatten(start, tmp_path):
    g, x = chain("flat", (2, 3, 4))
    g.add("output", [g.add("flatten", [x], {"start": start}, name="f")], name="y")
    check_round_trip(g, tmp_path)


def test_reshape_that_merges_adjacent_dims(tmp_path):
    g, x = chain("rs", (2, 3, 4))
    g.add("output", [g.add("reshape", [x], {"shape": (6, 4)}, name="r")], name="y")
    n = check_round_trip(g, tmp_path)
    assert (n.nodes["r"].start_dim, n.nodes["r"].end_dim) == (0, 1)


@pytest.mark.parametrize("shape", [(1, 1), (1, 5)])
def test_scale_and_threshold(shape, tmp_path):
    g, x = chain("sc", (5,))
    s = g.add("scale", [x], params={"scale": f32(*shape, lo=0.5, hi=2)}, name="s")
    t = g.add("threshold", [s], {"compare": "gt"}, {"threshold": f32(*shape)}, name="t")
    g.add("output", [t], name="y")
    check_round_trip(g, tmp_path)


def test_integer_threshold_keeps_its_dtype(tmp_path):
    g, x = chain("ith", (4,), "int<8>")
    t = g.add("threshold", [x], params={"threshold": np.array([[3, -2, 0, 7]], np.int16)}, name="t")
    g.add("output", [t], name="y")
    check_round_trip(g, tmp_path)


def test_add_is_a_scale_of_ones_summing_its_edges(tmp_path):
    rng = np.random.default_rng(6)
    g, x = chain("res", (4,))
    a = g.add("linear", [x], params={"weight": f32(4, 4, rng=rng)}, name="a")
    b = g.add("scale", [x], params={"scale": F([[2.0]])}, name="b")
    s = g.add("add", [b, x, a], name="s")
    g.add("output", [s], name="y")
    n = check_round_trip(g, tmp_path)
    assert isinstance(n.nodes["s"], nir.Scale) and np.all(n.nodes["s"].scale == 1)
    assert sorted(e for e in n.edges if e[1] == "s") == [("a", "s"), ("b", "s"), ("x", "s")]


NEURON_PARAMS = {
    "lif": ("beta", "threshold"), "plif": ("beta", "threshold"), "if": ("threshold",),
    "cuba_lif": ("alpha", "beta", "threshold"), "li": ("beta",),
}


def neuron_params(op, n, rng, per_neuron):
    shape = (1, n) if per_neuron else (1, 1)
    vals = {"beta": f32(*shape, lo=0.3, hi=0.99, rng=rng), "alpha": f32(*shape, lo=0.1, hi=0.9, rng=rng),
            "threshold": f32(*shape, lo=0.5, hi=2, rng=rng)}
    return {r: vals[r] for r in NEURON_PARAMS[op]}


@pytest.mark.parametrize("op", list(NEURON_PARAMS))
@pytest.mark.parametrize("per_neuron", [False, True])
def test_neurons(op, per_neuron, tmp_path):
    rng = np.random.default_rng(7)
    g, x = chain("neur", (5,))
    attrs = {} if op == "li" else {"reset": "zero", "compare": "gt", "v_reset": -0.25}
    y = g.add(op, [x], attrs, neuron_params(op, 5, rng, per_neuron), name="n")
    g.add("output", [y], name="y")
    n = check_round_trip(g, tmp_path)
    node = n.nodes["n"]
    kind = {"lif": nir.LIF, "plif": nir.LIF, "if": nir.IF, "cuba_lif": nir.CubaLIF, "li": nir.LI}[op]
    assert isinstance(node, kind)
    dt = 1e-3
    if op in ("lif", "plif", "li"):    # snnTorch's encoding: tau = dt/(1-beta), r = tau/dt
        beta = np.broadcast_to(g.param("n", "beta")[0], (5,)).astype(np.float64)
        np.testing.assert_array_equal(node.tau, dt / (1 - beta))
        np.testing.assert_array_equal(node.r, node.tau / dt)
        np.testing.assert_array_equal(node.v_leak, 0)
    if op == "cuba_lif":
        np.testing.assert_array_equal(node.w_in, node.tau_syn / dt)
    if op != "li":
        assert node.metadata["reset"] == "zero" and node.metadata["compare"] == "gt"
        assert np.all(node.v_reset == -0.25) and node.metadata["dt"] == dt


@pytest.mark.parametrize("reset", ["zero", "subtract", "none"])
@pytest.mark.parametrize("compare", ["ge", "gt"])
def test_reset_rule_and_comparison_survive(reset, compare, tmp_path):
    g, x = chain("rst", (3,))
    y = g.add("lif", [x], {"reset": reset, "compare": compare, "v_reset": 0.5},
              {"beta": F([[0.9]]), "threshold": F([[1.0]])}, name="n")
    g.add("output", [y], name="y")
    check_round_trip(g, tmp_path)


@pytest.mark.parametrize("op", ["lif", "plif", "li", "if", "cuba_lif"])
def test_affine_in_front_of_a_neuron_is_folded_into_r_and_v_leak(op, tmp_path):
    rng = np.random.default_rng(8)
    g, x = chain("fold", (4,))
    bias = np.zeros((1, 4), F) if op in ("if", "cuba_lif") else f32(1, 4, rng=rng)
    a = g.add("affine", [x], params={"scale": f32(1, 1, lo=0.5, hi=2, rng=rng), "bias": bias}, name="bn")
    other = g.add("scale", [x], params={"scale": F([[3.0]])}, name="other")   # sits between in the order
    attrs = {} if op == "li" else {"reset": "zero", "compare": "gt"}
    y = g.add(op, [a], attrs, neuron_params(op, 4, rng, True), name="n")
    g.add("output", [y], name="y")
    g.add("output", [other], name="o")
    n = check_round_trip(g, tmp_path)
    assert "bn" not in n.nodes and ("x", "n") in n.edges
    if op in ("lif", "plif", "li"):
        s, b = g.param("bn", "scale")[0, 0], g.param("bn", "bias")[0]
        np.testing.assert_allclose(n.nodes["n"].r * 1e-3 / n.nodes["n"].tau, s, rtol=1e-12)
        np.testing.assert_allclose(n.nodes["n"].v_leak * 1e-3 / n.nodes["n"].tau, b, rtol=1e-12)


def test_shared_parameter_keys_stay_shared(tmp_path):
    g, x = chain("shared", (3,))
    g.params["th"] = F([[1.0]])
    a = g.add("threshold", [x], params={"threshold": "th"}, name="a")
    b = g.add("threshold", [x], params={"threshold": "th"}, name="b")
    g.add("output", [a], name="ya")
    g.add("output", [b], name="yb")
    check_round_trip(g, tmp_path)


def test_graph_attributes_survive(tmp_path):
    g, x = chain("attrs", (2,), attrs={"dt": 5e-4, "T": 8, "source": "unit test", "levels": (-1, 0, 1)})
    g.add("output", [x], name="y")
    n = check_round_trip(g, tmp_path)
    assert n.metadata["dt"] == 5e-4


# ---------------------------------------------------------------- random chains
def random_chain(seed: int) -> Graph:
    """A random valid chain: conv/pool stages on [C,H,W], then dense stages, neurons between."""
    rng = np.random.default_rng(seed)
    g = Graph(f"chain{seed}", {"dt": float(rng.choice([1e-4, 1e-3, 0.5]))} if rng.random() < 0.8 else {})
    spatial = rng.random() < 0.5
    shape = (int(rng.integers(1, 4)), int(rng.integers(5, 9)), int(rng.integers(5, 9))) if spatial \
        else (int(rng.integers(2, 9)),)
    cur = g.add("input", [], {"shape": shape, "dtype": str(rng.choice(["f32", "spike"]))}, name="x")

    def bshape(shape):
        return (1,) + tuple(s if rng.random() < 0.5 else 1 for s in shape)

    def neuron(cur):
        op = str(rng.choice(list(NEURON_PARAMS)))
        shape = cur.type.shape
        if rng.random() < 0.3:   # an affine folded into the neuron
            b = np.zeros(bshape(shape), F) if op in ("if", "cuba_lif") else f32(*bshape(shape), rng=rng)
            cur = g.add("affine", [cur], params={"scale": f32(*bshape(shape), lo=0.2, hi=2, rng=rng),
                                                 "bias": b})
        params = {r: f32(*bshape(shape), lo=0.1, hi=0.99, rng=rng) for r in NEURON_PARAMS[op]}
        attrs = {} if op == "li" else {"reset": str(rng.choice(["zero", "subtract", "none"])),
                                       "compare": str(rng.choice(["ge", "gt"])),
                                       "v_reset": float(rng.choice([0.0, -0.5]))}
        return g.add(op, [cur], attrs, params)

    def synapse(cur):
        shape = cur.type.shape
        if len(shape) == 3:
            c = shape[0]
            o, k = int(rng.integers(1, 4)), int(rng.choice([1, 3]))
            params = {"weight": f32(o, c, k, k, rng=rng)}
            if rng.random() < 0.5:
                params = {"weight": rng.integers(-1, 2, (o, c, k, k)).astype(np.int8),
                          "scale": f32(1, int(rng.choice([1, o])), 1, 1, lo=0.1, hi=1, rng=rng)}
            if rng.random() < 0.5:
                params["bias"] = f32(1, o, 1, 1, rng=rng)
            return g.add("conv2d", [cur], {"padding": (k // 2, k // 2)}, params)
        n = int(rng.integers(2, 9))
        params = {"weight": f32(n, shape[-1], rng=rng)}
        if rng.random() < 0.5:
            params = {"weight": rng.integers(-1, 2, (n, shape[-1])).astype(np.int8),
                      "scale": f32(1, int(rng.choice([1, n])), lo=0.1, hi=1, rng=rng)}
        if rng.random() < 0.5:
            params["bias"] = f32(1, int(rng.choice([1, n])), rng=rng)
        return g.add("linear", [cur], params=params)

    for _ in range(int(rng.integers(2, 5))):
        shape = cur.type.shape
        r = rng.random()
        if len(shape) == 3 and r < 0.2 and min(shape[1:]) >= 4:
            cur = g.add(str(rng.choice(["sumpool2d", "avgpool2d"])), [cur], {"kernel": (2, 2)})
        elif len(shape) == 3 and r < 0.35:
            cur = g.add("flatten", [cur])
        elif r < 0.5 and cur.type.dtype.is_float:
            cur = g.add("add", [cur, g.add("scale", [cur], params={"scale": f32(*bshape(shape), rng=rng)})])
        cur = synapse(cur)
        cur = neuron(cur) if rng.random() < 0.8 else g.add("threshold", [cur], {"compare": "gt"},
                                                          {"threshold": f32(*bshape(cur.type.shape), rng=rng)})
    if len(cur.type.shape) == 3:
        cur = g.add("flatten", [cur])
    g.add("output", [cur], name="y")
    return g


@pytest.mark.parametrize("seed", range(24))
def test_random_chain_round_trip(seed, tmp_path):
    check_round_trip(random_chain(seed), tmp_path)
