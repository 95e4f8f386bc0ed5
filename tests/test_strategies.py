"""The random-graph strategies (tests/strategies.py) that the text tests and the backend
tests rely on: valid graphs, every op reachable, integer graphs free of overflow, inputs
of the right type."""
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import strategies
from snnc.ir import parse_dtype, verify

def sample(strategy, n):
    """n examples of a strategy, deterministically, without shrinking."""
    out = []

    @settings(max_examples=n, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x):
        out.append(x)
    collect()
    return out


@pytest.fixture(scope="module")
def samples():
    return {"float": sample(strategies.float_graphs(), 300),
            "integer": sample(strategies.integer_graphs(), 300),
            "extra": sample(strategies.float_graphs(ops=set(strategies.FLOAT_OPS + strategies.EXTRA_OPS["float"])),
                            200)}


def ops_of(g):
    return {n.op for n in g}


@pytest.mark.parametrize("family,op", [("float", op) for op in strategies.FLOAT_OPS]
                         + [("integer", op) for op in strategies.INTEGER_OPS]
                         + [("extra", op) for op in strategies.EXTRA_OPS["float"]])
def test_every_op_is_generated(samples, family, op):
    assert any(op in ops_of(g) for g in samples[family])
    for g in samples[family]:
        verify(g)


def weight_banks(g):
    rank = {"linear": 3, "conv2d": 5}
    return [n for n in g if n.op in rank and g.param(n, "weight").ndim == rank[n.op]]


def time_varying_params(g):
    return [n for n in g for role, key in n.params.items() if role != "weight" and g.params[key].shape[0] > 1]


@pytest.mark.parametrize("what,predicate", [
    ("weight bank", lambda g: weight_banks(g)),
    ("time-varying broadcast parameter", lambda g: time_varying_params(g)),
    ("residual add", lambda g: any(n.op == "add" and len(n.operands) >= 2 for n in g)),
    ("per-channel conv scale", lambda g: any(n.op == "conv2d" and "scale" in n.params
                                             and g.param(n, "scale").shape[1:] == (n.type.shape[0], 1, 1)
                                             and n.type.shape[0] > 1 for n in g)),
    ("grouped conv", lambda g: any(n.op == "conv2d" and n.attrs["groups"] > 1 for n in g)),
    ("odd sizes", lambda g: any(n.type.shape and n.type.shape[-1] in (5, 7, 11) for n in g)),
    ("uint input with scale", lambda g: g.inputs[0].attrs["dtype"].startswith("uint")
                                        and g.inputs[0].attrs["scale"] != 1.0),
    ("rank-3 input", lambda g: len(g.inputs[0].type.shape) == 3),
])
def test_features_are_generated(samples, what, predicate):
    assert any(predicate(g) for g in samples["float"] + samples["integer"])


@settings(max_examples=40)
@given(strategies.graphs(time_varying=False, integer=True))
def test_static_graphs_have_no_time_axis(g):
    assert not weight_banks(g) and not time_varying_params(g)


@settings(max_examples=40)
@given(strategies.graphs(ops={"linear", "lif", "li"}, dag=False, max_outputs=1))
def test_op_restriction(g):
    verify(g)
    assert ops_of(g) <= {"input", "output", "linear", "lif", "li"}
    assert len(g.outputs) == 1 and len(g.inputs) == 1


@settings(max_examples=40)
@given(strategies.graphs(max_outputs=3, integer=True))
def test_every_node_is_used(g):
    verify(g)
    assert 1 <= len(g.outputs) <= 3
    for n in g:
        assert n.op == "output" or g.users(n.name), f"%{n.name} is dead"


@settings(max_examples=60)
@given(strategies.integer_graphs())
def test_integer_graphs_are_all_integer(g):
    for n in g:
        assert n.type.dtype.is_integer, n
        assert not any(g.params[k].dtype.kind == "f" for k in n.params.values()), n
    assert g.inputs[0].type.dtype.kind in ("spike", "uint")


# ---------------------------------------------------------------------- overflow
def simulate_int_neuron(g, node, inputs):
    """Run one integer neuron (docstring equations of lif_int / cuba_lif_int / li_int) on an
    integer input sequence [T, *shape] with Python integers; return the largest magnitude of
    any state, pre-reset value or leak product."""
    a = node.attrs

    def param(role, t):
        arr = g.param(node, role)
        if arr is None:
            return 0
        return np.broadcast_to(arr[t % arr.shape[0]].astype(object), inputs.shape[1:])

    v = np.zeros(inputs.shape[1:], dtype=object)
    i = np.zeros_like(v)
    worst = 0
    for t, x in enumerate(inputs.astype(object)):
        drive = x * (1 << a["in_shift"])
        if node.op == "cuba_lif_int":
            prod_i = param("alpha", t) * i
            i = (prod_i >> a["shift"]) + drive
            drive = i
            worst = max(worst, np.abs(prod_i).max(), np.abs(i).max())
        prod = param("leak", t) * v
        h = (prod >> a["shift"]) + drive + param("bias", t)
        worst = max(worst, np.abs(prod).max(), np.abs(h).max())
        if node.op == "li_int":
            v = h
            continue
        th = param("threshold", t)
        if a["reset"] == "subtract_undecayed":      # the previous spike's threshold, undecayed
            h = h - np.where(v >= th if a["compare"] == "ge" else v > th, th, 0)
            worst = max(worst, np.abs(h).max())
        s = h >= th if a["compare"] == "ge" else h > th
        v = {"zero": np.where(s, a["v_reset"], h), "subtract": h - s * th, "none": h,
             "subtract_undecayed": h}[a["reset"]]
        worst = max(worst, np.abs(v).max())
    return int(worst)


@settings(max_examples=80)
@given(strategies.integer_graphs(max_nodes=6), st.sampled_from(["hi", "lo", "alternate", "random"]))
def test_integer_neurons_cannot_overflow(g, pattern):
    rng = np.random.default_rng(0)
    T = strategies.MAX_T
    for n in g:
        if n.op not in ("lif_int", "cuba_lif_int", "li_int"):
            continue
        lo, hi = g[n.operands[0]].type.dtype.range()
        shape = (T,) + n.type.shape
        x = {"hi": np.full(shape, hi, dtype=object), "lo": np.full(shape, lo, dtype=object),
             "alternate": np.where(np.arange(T).reshape((T,) + (1,) * len(n.type.shape)) % 2, hi, lo)
                            * np.ones(shape, dtype=object),
             "random": np.where(rng.random(shape) < 0.5, hi, lo).astype(object)}[pattern]
        worst = simulate_int_neuron(g, n, x)
        assert worst < 2 ** (n.attrs["state_bits"] - 1), (n, worst)


# ---------------------------------------------------------------------- inputs
@settings(max_examples=60)
@given(strategies.graphs(integer=True), st.integers(1, 5), st.integers(1, 3), st.data())
def test_inputs_match_the_graph(g, T, B, data):
    x = data.draw(strategies.inputs(g, T, B))
    node = g.inputs[0]
    dtype = parse_dtype(node.attrs["dtype"])
    assert x.shape == (T, B) + tuple(node.attrs["shape"])
    if dtype.is_float:
        assert x.dtype == np.float32
    else:
        lo, hi = dtype.range()
        assert x.dtype.kind == "u" and lo <= x.min() and x.max() <= hi


def test_random_inputs_patterns():
    g = sample(strategies.graphs(input_dtypes=("spike",)), 1)[0]
    rng = np.random.default_rng(1)
    x = strategies.random_inputs(g, 4, 2, rng, density=0.5)
    assert x.dtype == np.uint8 and set(np.unique(x)) <= {0, 1}
    assert not strategies.random_inputs(g, 4, 2, rng, pattern="zero").any()
    assert strategies.random_inputs(g, 4, 2, rng, pattern="max").all()
    u = next(g for g in sample(strategies.graphs(input_dtypes=("uint",)), 100)
             if g.inputs[0].type.dtype.bits == 8)
    assert strategies.random_inputs(u, 2, 1, rng, pattern="max").max() == 255


@settings(max_examples=20)
@given(strategies.graphs_and_inputs(max_T=4))
def test_graphs_and_inputs(pair):
    g, x = pair
    assert x.shape[2:] == g.inputs[0].type.shape and 1 <= x.shape[0] <= 4


def test_no_family_is_an_error():
    with pytest.raises(ValueError, match="enable"):
        sample(strategies.graphs(float_ops=False, integer=False), 1)
