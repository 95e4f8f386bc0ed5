"""lower-multispike: binary spike planes give the same integers (float: the same up to
ties), leave no multi-bit spike op, and feed linear consumers with spikes only."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from passhelp import compare, outputs
from snnc.errors import ConfigError
from snnc.ir import Graph
from snnc.passes import run_pipeline

INT_OPS = ("linear", "conv2d", "sumpool2d", "maxpool2d", "flatten", "add", "threshold", "lif_int",
           "multispike_int", "reshape", "spike_matmul")
FLOAT_OPS = ("linear", "conv2d", "avgpool2d", "maxpool2d", "flatten", "add", "lif", "multispike", "reshape",
             "spike_matmul")
LINEAR_USERS = ("linear", "conv2d", "sumpool2d", "avgpool2d", "spike_matmul")


def spikes_only_into_linear_users(before, after):
    """Every linear consumer that read a multispike value now reads 1-bit planes."""
    counts = {n.name for n in before if n.op in ("multispike", "multispike_int")}
    for name in counts:
        if before[name].attrs["D"] == 1:        # one plane: the node itself
            assert after[name].op == "threshold" and after[name].type.dtype.width == 1
    counts = {c for c in counts if before[c].attrs["D"] > 1}
    for n in before:
        if n.op in LINEAR_USERS and any(o in counts for o in n.operands):
            copies = [m for m in after if m.name.startswith(n.name + ".plane")]
            assert copies, n.name
            for c in copies:
                for o in c.operands:
                    if o.split(".plane")[0] in counts:
                        assert after[o].type.dtype.width == 1, (c.name, o)


@settings(max_examples=150)
@given(strategies.graphs_and_inputs(float_ops=False, integer=True, ops=INT_OPS, max_outputs=2, max_T=6))
def test_binary_planes_are_exact_on_integer_graphs(case):
    g, x = case
    h = run_pipeline(g, "lower-multispike{mode=binary}").graph
    assert not any(n.op == "multispike_int" for n in h)
    spikes_only_into_linear_users(g, h)
    y0, y1 = outputs(g, x), outputs(h, x)
    assert y0.keys() == y1.keys()
    for k in y0:
        assert np.array_equal(y0[k], y1[k]), k


@settings(max_examples=100)
@given(strategies.graphs_and_inputs(float_ops=True, integer=False, ops=FLOAT_OPS, max_outputs=2))
def test_binary_planes_keep_float_graphs(case):
    g, x = case
    h = run_pipeline(g, "lower-multispike{mode=binary}").graph
    assert not any(n.op == "multispike" for n in h)
    compare(g, h, x)


@settings(max_examples=30)
@given(strategies.graphs(float_ops=True, integer=True, ops=INT_OPS + FLOAT_OPS))
def test_graded_mode_changes_nothing(g):
    assert run_pipeline(g, "lower-multispike").graph == g
    assert run_pipeline(g, "lower-multispike{mode=graded}").graph == g


@st.composite
def multispike_fanout(draw):
    """x → multispike_int → several consumers of every kind (linear ones, shape ops, add, others)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    g = Graph("fanout")
    conv = draw(st.booleans())
    shape = (2, 3, 4) if conv else (draw(st.integers(2, 6)),)
    x = g.add("input", attrs={"shape": shape, "dtype": f"int<{draw(st.integers(2, 7))}>"}, name="x")
    m = g.add("multispike_int", [x], {"D": draw(st.integers(1, 4)), "frac_bits": draw(st.integers(0, 3))},
              name="ms")
    kinds = draw(st.lists(st.sampled_from(["linear", "add", "flatten", "output", "maxpool2d", "sumpool2d",
                                           "conv2d", "reshape"]), min_size=1, max_size=4))
    for i, kind in enumerate(kinds):
        bias = {"bias": rng.integers(-3, 4, size=(1,) * (len(shape) + 1)).astype(np.int32)} \
            if draw(st.booleans()) else {}
        if kind == "linear" and not conv:
            v = g.add("linear", [m], params={"weight": rng.integers(-1, 2, (3,) + shape).astype(np.int8), **bias})
        elif kind == "conv2d" and conv:
            v = g.add("conv2d", [m], params={"weight": rng.integers(-1, 2, (2, 2, 3, 3)).astype(np.int8)})
        elif kind in ("maxpool2d", "sumpool2d") and conv:
            v = g.add(kind, [m], {"kernel": (2, 2)})
        elif kind == "flatten" and conv:
            f = g.add("flatten", [m])
            v = g.add("linear", [f], params={"weight": rng.integers(-1, 2, (2, 24)).astype(np.int8)})
        elif kind == "reshape" and not conv and shape[0] % 2 == 0:
            r = g.add("reshape", [m], {"shape": (shape[0] // 2, 2)})
            v = g.add("spike_matmul", [r, r], {"transpose_a": True})
        elif kind == "add":
            v = g.add("add", [m, x, m])
        else:
            v = m
        g.add("output", [v], name=f"y{i}")
    return g


@settings(max_examples=100)
@given(multispike_fanout(), st.integers(0, 2**32 - 1))
def test_binary_planes_are_exact_for_every_kind_of_consumer(g, seed):
    h = run_pipeline(g, "lower-multispike{mode=binary}").graph
    spikes_only_into_linear_users(g, h)
    x = strategies.random_inputs(g, 5, 2, np.random.default_rng(seed))
    y0, y1 = outputs(g, x), outputs(h, x)
    for k in y0:
        assert np.array_equal(y0[k], y1[k]), k


def attention(D=3, frac_bits=2):
    """K, V from one multispike_int; A = spike_matmul(K, V) — D² products of planes."""
    g = Graph("attn")
    x = g.add("input", attrs={"shape": (6,), "dtype": "int<6>"}, name="x")
    m = g.add("multispike_int", [x], {"D": D, "frac_bits": frac_bits}, name="ms")
    r = g.add("reshape", [m], {"shape": (3, 2)}, name="r")
    a = g.add("spike_matmul", [r, r], {"transpose_a": True}, name="a")
    g.add("output", [a], name="y")
    return g


def test_attention_products_split_into_plane_products():
    g = attention()
    h = run_pipeline(g, "lower-multispike{mode=binary}").graph
    products = [n for n in h if n.op == "spike_matmul"]
    assert len(products) == 9 and all(h[o].type.dtype.width == 1 for n in products for o in n.operands)
    x = np.arange(-32, 32).reshape(8, 8)[:, None, :6].repeat(2, axis=1).astype(np.int8)
    assert np.array_equal(outputs(g, x)["y"], outputs(h, x)["y"])


def test_unknown_mode_is_a_config_error():
    with pytest.raises(ConfigError, match="graded, binary"):
        run_pipeline(attention(), "lower-multispike{mode=ternary}")
