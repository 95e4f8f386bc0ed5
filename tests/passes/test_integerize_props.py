"""Property tests of integerize on random float graphs (tests/strategies.py `float_graphs`).

For every drawn graph and input, the integer graph must verify, hold no float, run for
the drawn T without ExecutionError (the range analysis proves every width), and stay
within the bounds integerize states in its node meta:

* every value: |raw·σ + β − float value| ≤ err (the pass's own bound), on every node whose
  upstream spikes all agree with the float run (per batch element and up to the first
  spike difference upstream);
* every spike difference that is not caused by an earlier one upstream (a *primary*
  difference) lies within the node's tie margin: |h − θ| ≤ margin (neurons, threshold) or
  the distance of clip(x, 0, D) to the nearest k + ½ ≤ margin (multispike);

each up to the float graph's own float32 rounding (TOL_ABS + TOL_REL·|value|).
Inputs: f32 values are clipped to ±input_range so that the input quantization bound holds.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from strategies import graphs_and_inputs

from snnc.backends.reference import encode_inputs, run
from snnc.ir import verify
from snnc.passes.integerize import Integerize, tb

SPIKING = ("lif", "if", "plif", "cuba_lif", "threshold", "multispike")
TOL_ABS, TOL_REL = 1e-5, 1e-4
RANGE = 3.0


def _param(graph, node, role, t):
    a = graph.param(node, role).astype(np.float64)
    return a[t % a.shape[0]]


def tie_distance(graph, node, trace, t) -> np.ndarray:
    """Distance of the float decision at timestep t to its tie (same shape as the value at t)."""
    x = trace[node.operands[0]][t].astype(np.float64)
    if node.op == "multispike":
        c = np.clip(x, 0, node.attrs["D"])
        return np.abs(c - np.floor(c) - 0.5)
    if node.op == "threshold":
        return np.abs(x - _param(graph, node, "threshold", t))
    v_prev = trace[f"{node.name}#v"][t - 1].astype(np.float64) if t else 0.0
    beta = 1.0 if node.op == "if" else _param(graph, node, "beta", t)
    cur = trace[f"{node.name}#i"][t].astype(np.float64) if node.op == "cuba_lif" else x
    th = _param(graph, node, "threshold", t)
    h = beta * v_prev + cur
    if node.attrs["reset"] == "subtract_undecayed":      # the previous spike's threshold, undecayed
        h = h - np.where(v_prev >= th if node.attrs["compare"] == "ge" else v_prev > th, th, 0.0)
    return np.abs(h - th)


def ancestors(graph) -> dict[str, set]:
    out: dict[str, set] = {}
    for n in graph:
        out[n.name] = set().union(*([{o} | out[o] for o in n.operands] or [set()]))
    return out


def check(graph, x, T, **options):
    options = {"T": T, "input_range": RANGE, "max_state_bits": 64, **options}
    ig, values = Integerize(**options).lower(graph)
    verify(ig)
    assert not any(n.type.dtype.is_float for n in ig)
    assert not any(a.dtype.kind == "f" for a in ig.params.values())
    _, tf = run(graph, x, trace=True)
    xi = encode_inputs(ig, x) if any(n.attrs["dtype"] == "f32" for n in graph.inputs) else x
    _, ti = run(ig, xi, trace=True)
    B = x.shape[1]
    # first timestep of a spike difference, per spiking node and batch element (T = none)
    first = {}
    for n in graph:
        if n.op in SPIKING:
            bad = (tf[n.name] != ti[values[n.name].node]).reshape(T, B, -1).any(axis=2)
            first[n.name] = np.where(bad.any(axis=0), bad.argmax(axis=0), T)
    up = ancestors(graph)
    stats = {"primary": 0, "values": 0}
    for n in graph:
        v = values[n.name]
        cause = [first[u] for u in up[n.name] if u in first]
        clean_until = np.min(cause, axis=0) if cause else np.full(B, T)   # upstream agrees for t < this
        if n.op in SPIKING:
            margin = ig[v.node].meta.get("integerize", {}).get("tie_margin", 0.0)
            for b in range(B):
                t = first[n.name][b]
                if t < clean_until[b] and t < T:       # primary: nothing upstream differed at or before t
                    diff = tf[n.name][t, b] != ti[v.node][t, b]
                    d = tie_distance(graph, n, tf, t)[b][diff]
                    scale = np.abs(tf[n.operands[0]][t, b]).max() + 1.0
                    assert d.max() <= margin + TOL_ABS + TOL_REL * scale, \
                        f"%{n.name}: spike differs at t={t} b={b} {d.max()} from its tie, margin {margin}"
                    stats["primary"] += 1
            continue
        real = ti[v.node].astype(np.float64) * tb.expand_time(v.sigma, T)[:, None]
        if v.beta is not None:
            real = real + tb.expand_time(v.beta, T)[:, None]
        for b in range(B):
            t_ok = int(clean_until[b])
            if t_ok == 0:
                continue
            want = tf[n.name][:t_ok, b].astype(np.float64)
            err = np.abs(real[:t_ok, b] - want)
            tol = TOL_ABS + TOL_REL * (np.abs(want).max() + 1.0)
            assert err.max() <= v.err + tol, f"%{n.name} ({n.op}): error {err.max()} > bound {v.err}"
            stats["values"] += 1
    for n in graph.outputs:                             # the output's scale gives the real value
        o = ig[n.name]
        want = tf[n.name].astype(np.float64)
        real = ti[n.name].astype(np.float64) * o.attrs["scale"]
        ok = np.min([first[u] for u in up[n.name] if u in first] or [np.full(B, T)], axis=0) == T
        if ok.any():
            err = np.abs(real[:, ok] - want[:, ok]).max()
            bound = o.meta.get("integerize", {}).get("error_bound", 0.0)
            assert err <= bound + TOL_ABS + TOL_REL * (np.abs(want).max() + 1.0)
    return stats


@settings(max_examples=60)
@given(graphs_and_inputs(float_ops=True, integer=False, max_T=6, max_B=3))
def test_random_float_graphs_within_stated_bounds(gx):
    g, x = gx
    if x.dtype.kind == "f":
        x = np.clip(x, -RANGE, RANGE)
    check(g, x, x.shape[0])


@settings(max_examples=40)
@given(graphs_and_inputs(float_ops=True, integer=False, max_T=6, max_B=3))
def test_coarse_options_within_stated_bounds(gx):
    """Few fraction bits make every rounding large next to float32 noise: a bound that is off
    by a unit shows."""
    g, x = gx
    if x.dtype.kind == "f":
        x = np.clip(x, -RANGE, RANGE)
    check(g, x, x.shape[0], frac_bits=3, leak_bits=5, gain_bits=6, input_bits=6)


@settings(max_examples=25)
@given(graphs_and_inputs(float_ops=True, integer=False, max_T=4, max_B=2,
                         ops=("linear", "conv2d", "scale", "affine", "batchnorm", "reshape", "spike_matmul",
                              "multispike", "lif", "cuba_lif", "li", "add", "avgpool2d", "maxpool2d")))
def test_random_graphs_with_elementwise_and_attention_ops(gx):
    g, x = gx
    if x.dtype.kind == "f":
        x = np.clip(x, -RANGE, RANGE)
    check(g, x, x.shape[0])


@settings(max_examples=40)
@given(graphs_and_inputs(float_ops=False, integer=True, max_T=4, max_B=2))
def test_integer_graphs_are_left_as_they_are(gx):
    g, x = gx
    ig = Integerize(T=x.shape[0]).apply(g.copy())
    assert ig == g
