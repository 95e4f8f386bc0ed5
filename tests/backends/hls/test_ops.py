"""Every op and attribute the hls target implements, on hand-built graphs, against the reference.

All graphs are emitted, compiled together once (`hlshelp.build_batch`) and checked
twice: the C-simulation of random inputs equals the reference interpreter, and the
emitted testbench passes on its own data. Lanes > 1, both interfaces, time-varying
parameters and weight banks, saturation and 64-bit state are all covered.
"""
import numpy as np
import pytest
from hlshelp import build_batch, chain, check_built, p

from snnc.backends.hls import HLSTarget
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

rng = np.random.default_rng(7)


def levels(shape, k=1):
    return rng.integers(-k, k + 1, size=shape).astype(np.int8)


def ints(shape, lo, hi, dtype=np.int32):
    return rng.integers(lo, hi + 1, size=shape).astype(dtype)


def neuron(op, shape, *, shift=3, sb=16, tp=1, **attrs):
    rank = len(shape)
    params = {"leak": ints((tp,) + shape, 0, 1 << shift), "bias": ints((tp,) + (1,) * rank, -2, 2)}
    if op != "li_int":
        params["threshold"] = ints((tp,) + shape[:1] + (1,) * (rank - 1), 1, 6)
    if op == "cuba_lif_int":
        params["alpha"] = ints((1,) * (rank + 1), 0, 1 << shift)
    return op, dict(attrs, shift=shift, state_bits=sb), params


def cases():
    c = {}
    # ternary linear on spikes, bank of 3 (TaWQ), 5 lanes, lif with subtract reset
    c["tawq_linear"] = (chain((7,), "spike",
                              ("linear", {}, {"weight": levels((3, 10, 7)), "bias": ints((2, 10), -2, 2)}),
                              neuron("lif_int", (10,), tp=2, reset="subtract", compare="gt")),
                        {"parallelism": {"l0": 5, "l1": 2}})
    # 3-bit weights on spikes (select) and on uint inputs (multiply), linear over [N, F]
    c["kbit_select"] = (chain((2, 6), "spike", ("linear", {}, {"weight": levels((4, 6), 3)}),
                              neuron("cuba_lif_int", (2, 4), reset="zero", v_reset=-1, saturate=True, sb=8)),
                        {"parallelism": 4, "interface": "array"})
    c["kbit_multiply"] = (chain((5,), "uint<6>", ("linear", {}, {"weight": levels((3, 5), 60).astype(np.int16)}),
                                neuron("li_int", (3,), sb=24, frac_bits=2)), {})
    # conv: groups, stride, dilation, padding, bank of 2, per-channel periodic bias, then pools
    c["conv_grouped"] = (chain((4, 7, 6), "spike",
                               ("conv2d", {"stride": (2, 1), "padding": (1, 1), "dilation": (1, 2), "groups": 2},
                                {"weight": levels((2, 6, 2, 3, 2)), "bias": ints((3, 6, 1, 1), -3, 3)}),
                               ("maxpool2d", {"kernel": (2, 2), "stride": (1, 2), "padding": (1, 1)}, {}),
                               neuron("lif_int", (6, 5, 4), reset="none")),
                         {"parallelism": {"l0": 3, "l1": 5}})
    c["conv_sumpool"] = (chain((2, 5, 5), "uint<3>", ("conv2d", {"padding": (1, 1)}, {"weight": levels((3, 2, 3, 3))}),
                               ("sumpool2d", {"kernel": (2, 3), "padding": (1, 1), "stride": (2, 2)}, {}),
                               ("threshold", {"compare": "ge"}, {"threshold": ints((1, 3, 1, 1), -2, 2)})),
                         {"interface": "array", "parallelism": {"l1": 3}})
    # scale / affine (per-channel, time-varying), multispike_int, add with a residual
    g = Graph("gains")
    g.add("input", attrs={"shape": (3, 4), "dtype": "uint<4>"}, name="x")
    g.add("scale", ["x"], attrs={"shift": 1}, params={"scale": ints((2, 3, 1), -3, 3, np.int16)}, name="s")
    g.add("affine", ["s"], attrs={"shift": 2}, params={"scale": ints((1, 1, 4), -5, 5, np.int16),
                                                       "bias": ints((3, 3, 4), -4, 4)}, name="a")
    g.add("add", ["a", "s", "x"], name="r")
    g.add("multispike_int", ["r"], attrs={"D": 3, "frac_bits": 2}, name="m")
    g.add("output", ["m"], name="y")
    g.add("output", ["r"], name="y2")
    c["gains"] = (g, {"parallelism": {"s": 6, "m": 4}})
    # spike-driven attention: kv = Kᵀ·V, then Q·kv (transposes), two inputs
    g = Graph("attention")
    g.add("input", attrs={"shape": (2, 5, 3), "dtype": "spike"}, name="q")
    g.add("input", attrs={"shape": (2, 5, 3), "dtype": "spike"}, name="k")
    g.add("spike_matmul", ["k", "q"], attrs={"transpose_a": True}, name="kv")
    g.add("spike_matmul", ["q", "kv"], name="att")
    g.add("spike_matmul", ["att", "k"], attrs={"transpose_b": True}, name="back")
    g.add("output", ["back"], name="y")
    c["attention"] = (g, {"parallelism": {"kv": 3, "back": 5}})
    # 64-bit state with saturation: 128-bit intermediates (leak · v) in the shim
    wide_w = np.full((4, 4), 100, np.int8)
    wide_w[0, 1:] = -100
    c["wide_state"] = (chain((4,), "uint<8>", ("linear", {}, {"weight": wide_w}),
                             ("lif_int", {"shift": 62, "in_shift": 45, "state_bits": 64, "saturate": True},
                              {"leak": p((1 << 62) + 12345, dtype=np.int64), "threshold": p(1 << 50, dtype=np.int64)})),
                       {})
    return c


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("ops")
    target = HLSTarget()
    projects, graphs = [], {}
    for name, (g, options) in cases().items():
        g.verify()
        target.emit(g, work / name, dict(options, top=name, timesteps=6, tb_samples=3))
        projects.append((name, work / name))
        graphs[name] = g
    return graphs, build_batch(projects, work / "build")


@pytest.mark.parametrize("name", list(cases()))
def test_op_matches_reference(built, name):
    graphs, libs = built
    g = graphs[name]
    x = {n.name: rng.integers(*n.type.dtype.range(), size=(6, 3) + n.type.shape, endpoint=True) for n in g.inputs}
    check_built(libs[name], g, x)


def test_wide_state_really_saturates(built):
    """The 64-bit case must exercise the clamps (else it would not test the 128-bit path)."""
    graphs, _ = built
    g = graphs["wide_state"]
    x = np.full((6, 1, 4), 255)
    _, trace = reference_run(g, x, trace=True)
    v = trace["l1#v"]
    # h clamps at 2^63 − 1, spikes and subtracts the threshold 2^50; the negative side clamps
    assert v.max() == (1 << 63) - 1 - (1 << 50) and v.min() == -(1 << 63)
