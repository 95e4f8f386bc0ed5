"""Helpers of the cpu target tests: compile-and-compare, and a generator of deployable networks.

`networks()` draws the integer graphs the cpu kernels are built for, which the generic
`strategies.graphs` rarely reaches: chains of linear / conv2d layers with ternary or k-bit
weights (static or banks), at sizes around the 64-bit word (63, 64, 65, 127, 129 …) and with
channel counts that fill a word or spill into a second one, binary or k-bit unsigned inputs,
graded spikes (multispike_int) feeding the next layer, pooling, and every integer neuron.
State widths are chosen so that nothing overflows for T ≤ MAX_T: with leak ≤ 2^shift, the
membrane grows at most by the largest input per step.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from snnc.backends import get_target
from snnc.backends.cpu import CpuRunner, build_plan, load_library
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph, print_graph

MAX_T = 8
FEATURES = (1, 5, 31, 32, 63, 64, 65, 100, 127, 128, 129, 200)
OUTPUTS = (1, 7, 8, 9, 17, 64, 65)
CHANNELS = (1, 3, 16, 17, 63, 64, 65, 70)


def cpu_run(graph: Graph, x, **options):
    """Emit `graph` for the cpu target into a temporary folder, build it, run it on x."""
    options.setdefault("opt", 0)
    tgt = get_target("cpu")
    tgt.check(graph)
    with tempfile.TemporaryDirectory(prefix="snnc-cpu-test-") as tmp:
        tgt.emit(graph, Path(tmp), options)
        runner = tgt.load(Path(tmp), graph, options)
    return runner.run(x)


def cpu_run_many(cases, **options) -> list:
    """Run several (graph, x) cases through ONE C library (one compiler run): each graph is
    emitted with its own prefix, then all are built as a single translation unit."""
    options.setdefault("opt", 0)
    tgt = get_target("cpu")
    with tempfile.TemporaryDirectory(prefix="snnc-cpu-test-") as tmp:
        dirs, plans = [], []
        for i, (g, _) in enumerate(cases):
            opts = tgt.options({**options, "prefix": f"m{i}"})
            tgt.check(g)
            d = Path(tmp) / f"m{i}"
            d.mkdir()
            tgt.emit(g, d, {**options, "prefix": f"m{i}"})
            dirs.append(d)
            plans.append((g, build_plan(g, opts), opts))
        lib = load_library(dirs, plans[0][2])
    return [CpuRunner(g, plan, lib, opts).run(x) for (g, plan, opts), (_, x) in zip(plans, cases)]


def assert_many_match_reference(cases, **options):
    got = cpu_run_many(cases, **options)
    for (g, x), y in zip(cases, got):
        if not same(y, reference_run(g, x)):
            raise AssertionError(f"cpu output differs from the reference (options {options}) on\n{print_graph(g)}")


def same(a, b) -> bool:
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in b)
    return np.array_equal(a, b)


def assert_matches_reference(graph: Graph, x, **options):
    want = reference_run(graph, x)
    got = cpu_run(graph, x, **options)
    if not same(got, want):
        raise AssertionError(f"cpu output differs from the reference (options {options}) on\n{print_graph(graph)}")


def mag(t) -> int:
    lo, hi = t.dtype.range()
    return max(abs(lo), abs(hi))


class _Net:
    def __init__(self, draw):
        self.draw = draw
        self.rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        self.g = Graph(draw(st.sampled_from(["net", "tiny.cnn"])))
        self.time_varying = draw(st.booleans())
        self.n = 0

    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def name(self, op):
        self.n += 1
        return f"l{self.n}.{op}"

    def t_p(self):
        return self.pick([1, 2, 3]) if self.time_varying else 1

    def weights(self, shape):
        tw = self.pick([1, 1, 2, 3]) if self.time_varying else 1
        shape = ((tw,) if tw > 1 else ()) + tuple(shape)
        if self.pick(["ternary"] * 3 + ["kbit"]) == "ternary":
            p0 = self.pick([0.2, 0.5, 0.9])
            return self.rng.choice(np.array([-1, 0, 1], np.int8), size=shape, p=[(1 - p0) / 2, p0, (1 - p0) / 2])
        return self.rng.integers(-3, 4, size=shape).astype(np.int8)

    def bias(self, shape):
        if not self.draw(st.booleans()):
            return None
        per = self.pick(["tensor", "full"])
        b = (1,) * len(shape) if per == "tensor" else tuple(shape)
        return self.rng.integers(-5, 6, size=(self.t_p(),) + b).astype(np.int32)

    def linear(self, v):
        t = self.g[v].type
        out = self.pick(OUTPUTS)
        return self.g.add("linear", [v], params={"weight": self.weights((out, t.shape[-1])),
                                                 "bias": self.bias(tuple(t.shape[:-1]) + (out,))},
                          name=self.name("linear")).name

    def conv(self, v):
        c, h, w = self.g[v].type.shape
        o = self.pick([1, 4, 8, 9, 16, 33])
        k = (self.pick([1, 2, 3]), self.pick([1, 3]))
        pad = (self.pick([0, 1]), self.pick([0, 1]))
        stride = (self.pick([1, 2]), self.pick([1, 2]))
        dil = (self.pick([1, 1, 2]),) * 2
        if any((s + 2 * p - d * (kk - 1) - 1) < 0 for s, p, d, kk in zip((h, w), pad, dil, k)):
            k, dil = (1, 1), (1, 1)
        oh = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) // stride[0] + 1
        ow = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) // stride[1] + 1
        return self.g.add("conv2d", [v], attrs={"stride": stride, "padding": pad, "dilation": dil},
                          params={"weight": self.weights((o, c) + k), "bias": self.bias((o, oh, ow))},
                          name=self.name("conv2d")).name

    def pool(self, v):
        _, h, w = self.g[v].type.shape
        k = (min(2, h), min(2, w))
        return self.g.add(self.pick(["maxpool2d", "sumpool2d"]), [v], attrs={"kernel": k},
                          name=self.name("pool")).name

    def neuron(self, v, op=None):
        t = self.g[v].type
        op = op or self.pick(["lif_int", "lif_int", "cuba_lif_int", "multispike_int", "threshold"])
        shape = t.shape
        ones = (1,) * len(shape)
        if op == "threshold":
            th = self.rng.integers(-2, 4, size=(self.t_p(),) + ones).astype(np.int32)
            return self.g.add("threshold", [v], attrs={"compare": self.pick(["ge", "gt"])},
                              params={"threshold": th}, name=self.name(op)).name
        if op == "multispike_int":
            return self.g.add(op, [v], attrs={"D": self.pick([1, 3, 7]), "frac_bits": self.pick([0, 1, 2])},
                              name=self.name(op)).name
        shift, in_shift = self.pick([0, 2, 4]), self.pick([0, 0, 1])
        full = 1 << shift
        leak = self.rng.integers(full // 2, full + 1, size=(self.t_p(),) + ones).astype(np.int32)
        params = {"leak": leak}
        u = (mag(t) << in_shift) + 8
        if op == "cuba_lif_int":
            params["alpha"] = self.rng.integers(0, full + 1, size=(1,) + ones).astype(np.int32)
            u *= MAX_T + 1
        attrs = {"shift": shift, "in_shift": in_shift, "saturate": self.draw(st.booleans())}
        if op != "li_int":
            typical = max(1, int(np.sqrt(mag(t)))) << in_shift
            params["threshold"] = self.rng.integers(1, 2 * typical + 1, size=(self.t_p(),) + shape).astype(np.int32)
            attrs.update(reset=self.pick(["zero", "subtract", "none"]), compare=self.pick(["ge", "gt"]))
        bound = (u + 2 * typical + 8 if op != "li_int" else u) * (MAX_T + 1) * full
        attrs["state_bits"] = min(64, bound.bit_length() + 2)
        attrs["frac_bits"] = min(shift, attrs["state_bits"] - 1)
        return self.g.add(op, [v], attrs=attrs, params=params, name=self.name(op)).name

    def build(self) -> Graph:
        kind = self.pick(["mlp", "mlp", "cnn"])
        dtype = self.pick(["spike"] * 3 + [f"uint<{k}>" for k in (1, 2, 4, 8)])
        if kind == "cnn":
            shape = (self.pick(CHANNELS), self.draw(st.integers(2, 7)), self.draw(st.integers(2, 7)))
        else:
            shape = (self.pick(FEATURES),)
        v = self.g.add("input", attrs={"shape": shape, "dtype": dtype}, name="x").name
        if kind == "cnn":
            for _ in range(self.draw(st.integers(1, 2))):
                v = self.neuron(self.conv(v))
                if self.draw(st.booleans()):
                    v = self.pool(v)
            v = self.g.add("flatten", [v], name=self.name("flatten")).name
        for _ in range(self.draw(st.integers(1, 3))):
            v = self.neuron(self.linear(v))
        v = self.neuron(self.linear(v), op=self.pick(["lif_int", "li_int"]))
        self.g.add("output", [v], name="y")
        self.g.verify()
        return self.g


@st.composite
def networks(draw):
    return _Net(draw).build()


def inputs_for(graph: Graph, T: int, B: int, rng: np.random.Generator, density: float = 0.3):
    (node,) = graph.inputs
    lo, hi = graph[node.name].type.dtype.range()
    shape = (T, B) + tuple(node.attrs["shape"])
    x = rng.integers(lo, hi + 1, size=shape)
    return np.where(rng.random(shape) < density, x, 0).astype(np.int64)
