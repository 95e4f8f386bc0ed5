"""PE × SIMD foldings and the streaming DATAFLOW region, C-simulated against the reference.

Every graph is emitted under several foldings (PE and SIMD over odd sizes, width
converters between streaming layers of different PE, both interfaces, the sequential
design), all compiled together once (`hlshelp.build_batch`); each C-simulation equals
the reference interpreter exactly and each emitted testbench passes. The residual
graphs run with the FIFO depths the schedule gives (a whole frame on the skip path);
one with a shallower skip FIFO must deadlock, and the shim must say so.
"""
import json
import re

import numpy as np
import pytest
from hlshelp import build_batch, chain, check_built, p

from snnc.backends.hls import HLSTarget
from snnc.backends.hls.runner import call_csim
from snnc.backends.reference.inputs import bind_inputs
from snnc.backends.target import TargetError
from snnc.ir import Graph

rng = np.random.default_rng(11)


def levels(shape, k=1):
    return rng.integers(-k, k + 1, size=shape).astype(np.int8)


def lif(sb=10, th=2, rank=3):
    return "lif_int", {"state_bits": sb, "shift": 1}, {"leak": p(1, rank), "threshold": p(th, rank)}


def residual(name="res", c=4, hw=5):
    """x → conv → lif → conv → lif → add(·, x) → conv stride 2 → lif → flatten → linear: a SEW block."""
    g = Graph(name)
    g.attrs["timesteps"] = 3
    g.add("input", attrs={"shape": (c, hw, hw), "dtype": "spike"}, name="x")
    g.add("conv2d", ["x"], attrs={"padding": (1, 1)}, params={"weight": levels((c, c, 3, 3))}, name="c1")
    g.add(*lif()[:1], ["c1"], attrs=lif()[1], params=lif()[2], name="n1")
    g.add("conv2d", ["n1"], attrs={"padding": (1, 1)}, params={"weight": levels((c, c, 3, 3))}, name="c2")
    g.add(*lif()[:1], ["c2"], attrs=lif()[1], params=lif()[2], name="n2")
    g.add("add", ["n2", "x"], name="a")
    g.add("conv2d", ["a"], attrs={"stride": (2, 2), "padding": (1, 1)}, params={"weight": levels((6, c, 3, 3))},
          name="c3")
    g.add(*lif()[:1], ["c3"], attrs=lif(12, 3)[1], params=lif(12, 3)[2], name="n3")
    g.add("flatten", ["n3"], name="f")
    g.add("linear", ["f"], params={"weight": levels((5, 6 * 3 * 3))}, name="fc")
    g.add("output", ["fc"], name="y")
    return g.verify()


def diamond():
    """add(lif(x), threshold(x)) and a second output: a fork whose branches are both streaming."""
    g = Graph("diamond")
    g.attrs["timesteps"] = 3
    g.add("input", attrs={"shape": (12,), "dtype": "uint<3>"}, name="x")
    g.add("lif_int", ["x"], attrs={"state_bits": 8}, params={"leak": p(1), "threshold": p(4)}, name="n")
    g.add("threshold", ["x"], params={"threshold": p(3)}, name="t")
    g.add("add", ["n", "t"], name="a")
    g.add("output", ["a"], name="y")
    g.add("output", ["x"], name="y2")
    return g.verify()


def attention():
    g = Graph("att")
    g.attrs["timesteps"] = 3
    g.add("input", attrs={"shape": (2, 6, 4), "dtype": "spike"}, name="q")
    g.add("spike_matmul", ["q", "q"], attrs={"transpose_b": True}, name="qq")
    g.add("output", ["qq"], name="y")
    return g.verify()


def cases():
    c = {}
    res = residual()
    c["res_plain"] = (res, {})
    c["res_folded"] = (res, {"parallelism": {"c1": 2, "n1": 4, "c2": 4, "n2": 2, "a": 4, "c3": 3, "fc": 5},
                             "simd": {"c1": 9, "c2": 36, "c3": 4, "fc": 6}})
    c["res_array"] = (res, {"interface": "array", "parallelism": {"n1": 5, "a": 20, "fc": 5}, "simd": {"c1": 3}})
    c["res_seq"] = (res, {"dataflow": False, "parallelism": {"c2": 2}, "simd": {"c2": 12, "fc": 27}})
    c["res_solved"] = (res, {"fold": "max-throughput", "part": "pynq-z2"})
    # odd sizes: 3-bit inputs × ternary weights (adder trees), 15 → 9 → 9
    odd = chain((15,), "uint<3>", ("linear", {}, {"weight": levels((9, 15))}), lif(14, 5, 1),
                ("linear", {}, {"weight": levels((9, 9), 5), "bias": p(2, 1)}), name="odd")
    for k, (pe, simd) in enumerate(((1, 3), (3, 5), (9, 15))):
        c[f"odd{k}"] = (odd, {"parallelism": {"l0": pe, "l1": 3, "l2": 9 // pe}, "simd": {"l0": simd, "l2": 3}})
    # k-bit weights on spikes (select) and products (multiply), SIMD over the fan-in
    sel = chain((14,), "spike", ("linear", {}, {"weight": levels((6, 14), 7)}), lif(12, 9, 1), name="sel")
    c["select"] = (sel, {"parallelism": {"l0": 3}, "simd": {"l0": 7}})
    mul = chain((10,), "uint<6>", ("linear", {}, {"weight": levels((4, 10), 60)}), name="mul")
    c["multiply"] = (mul, {"parallelism": {"l0": 2}, "simd": {"l0": 5}, "interface": "array"})
    # grouped, strided conv with SIMD, and a time-varying weight bank
    conv = chain((4, 7, 6), "spike",
                 ("conv2d", {"stride": (2, 1), "padding": (1, 1), "groups": 2}, {"weight": levels((2, 6, 2, 3, 3))}),
                 ("maxpool2d", {"kernel": (2, 2), "stride": (1, 2), "padding": (1, 1)}, {}), name="conv")
    c["conv_grouped"] = (conv, {"parallelism": {"l0": 3, "l1": 5}, "simd": {"l0": 6}})
    c["diamond"] = (diamond(), {"parallelism": {"n": 4, "t": 3, "a": 6}})
    c["attention"] = (attention(), {"parallelism": {"qq": 3}, "simd": {"qq": 2}})
    return c


CASES = cases()
CORE = ("res_plain", "res_folded", "odd1", "diamond")          # one compile of ~15 s; the rest: slow
MORE = tuple(k for k in CASES if k not in CORE)


def _build(work, names, shallow=False):
    target = HLSTarget()
    projects = []
    for name in names:
        g, options = CASES[name]
        target.emit(g, work / name, dict(options, top=name, tb_samples=2))
        projects.append((name, work / name))
    if shallow:     # the residual block once more, with a skip FIFO shallower than the schedule's depth
        target.emit(CASES["res_plain"][0], work / "shallow", {"top": "shallow", "tb_samples": 1})
        top = work / "shallow" / "firmware" / "shallow.cpp"
        # one beat below the schedule's depth (the fork writes the frame path first: N - 1 = 99 beats)
        text, n = re.subn(r"(hls::stream<[^;]*), 99> (s_x_fork1)", r"\1, 98> \2", top.read_text())
        assert n == 1, "the skip channel of the residual block should hold the frame less one beat (99 beats)"
        top.write_text(text)
        projects.append(("shallow", work / "shallow"))
    return work, build_batch(projects, work / "build")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("streams"), CORE, shallow=True)


@pytest.fixture(scope="module")
def built_more(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("streams_more"), MORE)


def _inputs(g, T=3, B=2):
    return {n.name: rng.integers(*n.type.dtype.range(), size=(T, B) + n.type.shape, endpoint=True)
            for n in g.inputs}


def _check(built, name):
    _, libs = built
    g, _ = CASES[name]
    check_built(libs[name], g, _inputs(g))


@pytest.mark.parametrize("name", CORE)
def test_folded_graph_matches_reference(built, name):
    _check(built, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", MORE)
def test_more_foldings_match_reference(built_more, name):
    _check(built_more, name)


@pytest.mark.slow
def test_the_folded_kernels_are_what_the_options_say(built, built_more):
    work, _ = built
    more, _ = built_more
    layers = (work / "res_folded" / "firmware" / "layers.h").read_text()
    assert "PE = 4 output channels x SIMD = 36" in layers and "ap_uint<6> pos = 0, neg = 0;" in layers
    est = json.loads((work / "res_folded" / "estimates.json").read_text())
    kinds = [p["kind"] for p in est["processes"]]
    assert kinds.count("convert") >= 1 and kinds.count("frame") == 4     # a (PE 4) ← n2 (PE 2)
    odd = (work / "odd1" / "firmware" / "layers.h").read_text()
    assert "p += xv[s];" in odd and "p -= xv[s];" in odd                  # 3-bit inputs: adder tree
    seq = (more / "res_seq" / "firmware" / "res_seq.cpp").read_text()
    assert "dataflow({" not in seq and "SNNC_HLS(DATAFLOW)" not in seq and "static void step(" in seq


def test_skip_path_holds_a_frame_and_a_shallower_one_deadlocks(built):
    work, libs = built
    est = json.loads((work / "res_plain" / "estimates.json").read_text())
    depths = est["fifo_depths"]
    assert depths["s_x_fork1"] == 4 * 5 * 5 - 1 and depths["s_x_fork0"] == 2   # skip path: a frame less one beat
    assert all(d == 2 for k, d in depths.items() if k != "s_x_fork1")
    g = CASES["res_plain"][0]
    with pytest.raises(TargetError, match=r"the C-simulation of shallow deadlocked"):
        call_csim(libs["shallow"].csim, g, bind_inputs(g, _inputs(g, 2, 1)), "shallow")
    assert libs["shallow"].tb(str(work / "shallow" / "tb_data").encode()) == 1
