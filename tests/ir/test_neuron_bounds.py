"""The integer neurons' intermediate bounds (`IntNeuron.intermediate_bounds`), on random neuron
parameters and input types: the reference interpreter, the cpu target and the hls target size
their arithmetic by the op's numbers (no private derivation), and the numbers are sound: no
intermediate of the reference arithmetic exceeds its bound on the worst-case states and inputs,
with or without `saturate`."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snnc.backends import TargetError
from snnc.backends.cpu import CpuOptions, build_plan
from snnc.backends.cpu.cint import compute_type
from snnc.backends.hls import HLSOptions
from snnc.backends.hls.plan import plan as hls_plan
from snnc.backends.reference import run as reference_run
from snnc.ir import Graph, get_op
from snnc.ir.ops.neuron_int import IntNeuron
from snnc.ir.types import maxabs, parse_dtype
from snnc.ir.verify import unproven

ROLES = {"lif_int": ("leak", "threshold", "bias"), "cuba_lif_int": ("alpha", "leak", "threshold", "bias"),
         "li_int": ("leak", "bias")}


@st.composite
def neurons(draw) -> Graph:
    """input → one integer neuron → output, with random attributes, parameters and input type."""
    op = draw(st.sampled_from(sorted(ROLES)))
    bits = draw(st.integers(2, 64))
    n = draw(st.integers(1, 3))
    big = 1 << (bits - 1)
    attrs = {"state_bits": bits, "shift": draw(st.integers(0, min(40, 2 * bits - 1))),
             "in_shift": draw(st.integers(0, min(6, bits - 1))),
             "saturate": draw(st.booleans())}
    if op != "li_int":
        attrs.update(reset=draw(st.sampled_from(("zero", "subtract", "none"))),
                     compare=draw(st.sampled_from(("ge", "gt"))), v_reset=draw(st.integers(-big, big - 1)))
    params = {}
    for role in ROLES[op]:
        if role == "bias" and draw(st.booleans()):
            continue
        shape = draw(st.sampled_from(((1, 1), (1, n), (2, n))))
        edge = st.sampled_from((-big, big - 1, 0, 1, -1))
        vals = draw(st.lists(st.integers(-big, big - 1) | edge, min_size=shape[0] * shape[1],
                             max_size=shape[0] * shape[1]))
        params[role] = np.array(vals, np.int64).reshape(shape)
    kind = draw(st.sampled_from(("spike", "int", "uint")))
    dtype = "spike" if kind == "spike" else f"{kind}<{draw(st.integers(1, 24))}>"
    g = Graph("neuron")
    g.add("input", attrs={"shape": (n,), "dtype": dtype}, name="x")
    g.add(op, ["x"], attrs=attrs, params=params, name="n")
    g.add("output", ["n"], name="y")
    if not g["n"].attrs["saturate"] and next(unproven(g, 1), None) is not None:
        g["n"].attrs["saturate"] = True           # verify refuses a state that can overflow at once
    return g.verify()


class Spy:
    """Records every call of `intermediate_bounds` (input bound → the op's bounds) while active."""

    def __init__(self):
        self.calls = []

    def __enter__(self):
        real = IntNeuron.intermediate_bounds
        self._mp = pytest.MonkeyPatch()

        def spy(op, node, graph, input_bound):
            b = real(op, node, graph, input_bound)
            self.calls.append((input_bound, b))
            return b

        self._mp.setattr(IntNeuron, "intermediate_bounds", spy)
        return self

    def __exit__(self, *exc):
        self._mp.undo()

    def only(self):
        (call,) = self.calls
        self.calls.clear()
        return call


@settings(max_examples=80, deadline=None)
@given(neurons(), st.integers(0, 2 ** 32 - 1))
def test_the_three_backends_use_the_ops_bounds(g, seed):
    node, x_dtype = g["n"], g["x"].type.dtype
    with Spy() as spy:
        try:
            steps = build_plan(g, CpuOptions()).steps
            wide = compute_type(spy.only()[1].worst)
            assert wide is not None
            assert next(s for s in steps if s.node == "n").wide == wide
        except TargetError as e:
            assert "more than 127 bits" in str(e) and compute_type(spy.only()[1].worst) is None

        try:
            layer = next(la for la in hls_plan(g, HLSOptions()).layers if la.node == "n")
            bound, b = spy.only()
            assert bound == maxabs(x_dtype)
            assert layer.data["wide"] == f"ap_int<{max(b.worst.bit_length() + 1, node.attrs['state_bits'] + 1)}>"
        except TargetError as e:
            assert "more than the 128" in str(e) and spy.only()[1].worst.bit_length() + 1 > 128

        node.attrs["saturate"] = True             # the reference then runs on any input
        lo, hi = x_dtype.range()
        x = np.random.default_rng(seed).integers(lo, hi, size=(3, 2) + g["x"].type.shape, endpoint=True)
        _, trace = reference_run(g, x, trace=True)
        bound, b = spy.only()
        assert bound == maxabs(x)
        assert trace["n#v"].dtype == (np.int64 if b.worst < 2 ** 63 else object)


def _clamp(a, lo, hi):
    return np.minimum(np.maximum(a, lo), hi)


@settings(max_examples=150, deadline=None)
@given(neurons(), st.integers(0, 2 ** 32 - 1))
def test_no_intermediate_exceeds_its_bound(g, seed):
    """One timestep of the reference equations in exact Python ints, on every corner of the
    stored states (|v|, |i| ≤ S) and input range, each element and parameter period, and on
    random states and inputs: every intermediate within its bound, with or without clamping."""
    node = g["n"]
    op, a = get_op(node.op), node.attrs
    x_lo, x_hi = parse_dtype(g["x"].attrs["dtype"]).range()
    b = op.intermediate_bounds(node, g, maxabs(x_lo, x_hi))
    s_lo, s_hi = op.state_range(node)
    rng = np.random.default_rng(seed)
    n = g["x"].type.shape[0]
    p = {r: (np.broadcast_to(g.param(node, r), (2, n)).astype(object) if g.param(node, r) is not None
             else np.zeros((2, n), object)) for r in ("leak", "alpha", "threshold", "bias")}

    def rand(lo, hi):
        return int(rng.integers(lo, hi, endpoint=True))

    for v, i, x in itertools.product((s_lo, s_hi, rand(s_lo, s_hi)), (s_lo, s_hi, rand(s_lo, s_hi)),
                                     (x_lo, x_hi, rand(x_lo, x_hi))):
        u = x << a["in_shift"]
        prod_v, prod_i = p["leak"] * v, p["alpha"] * i
        dec_v, dec_i = prod_v >> a["shift"], prod_i >> a["shift"]
        cur = dec_i + u if op.current else np.full((2, n), u, object)
        h = dec_v + (_clamp(cur, s_lo, s_hi) if a["saturate"] and op.current else cur) + p["bias"]
        hc = _clamp(h, s_lo, s_hi) if a["saturate"] else h
        th = p["threshold"]
        after = {"zero": np.where(hc >= th, a.get("v_reset", 0), hc), "subtract": hc - th,
                 "none": hc}[a.get("reset", "none")]
        facts = {"input": u, "leak_product": prod_v, "alpha_product": prod_i, "decayed_v": dec_v,
                 "decayed_i": dec_i, "current": cur, "membrane": h, "reset": after}
        for field, value in facts.items():
            assert maxabs(np.asarray(value, object)) <= getattr(b, field), field
        assert max(maxabs(th), abs(a.get("v_reset", 0)), -s_lo) <= b.worst
