"""Helpers of the pass tests: output equivalence up to float ties, and a strategy of
layer → (batchnorm) → neuron chains that exercises the folding passes.

Ties. A float pass (fold-batchnorm, fold-temporal-scale, lower-multispike on float
multispike) computes the same real numbers in another float32 order, so a value may
land on the other side of a threshold when it lies within rounding of it. The rule:

* integer outputs must be equal and float outputs close (``rtol = atol/(1+max|y|) = 1e-4``);
* if they are not, the original graph's run must contain a *tie*: a spike decision whose
  margin ``|h − θ| / (|β·v| + |I| + |θ|)`` (neurons), ``|x − θ| / (|x| + |θ|)``
  (float threshold) or distance to the nearest ``k − 1/2`` over ``|x| + 1`` (multispike)
  is below ``TIE = 1e-4``; `compare` then returns "tie" (the case is counted, not failed).
  Any difference without such a tie fails.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from snnc.backends.reference import run
from snnc.ir import Graph, verify

TIE = 1e-4
f32 = np.float32


def _expand(graph, node, role, T):
    p = graph.param(node, role)
    return None if p is None else p[np.arange(T) % p.shape[0]].astype(np.float64)[:, None]


def min_margin(graph: Graph, trace: dict) -> float:
    """The smallest relative margin of any float spike decision in a traced run (inf if none)."""
    best = np.inf
    for n in graph:
        if n.op in ("lif", "if", "plif", "cuba_lif"):
            cur = trace[f"{n.name}#i"] if n.op == "cuba_lif" else trace[n.operands[0]]
            cur = cur.astype(np.float64)
            T = cur.shape[0]
            v = trace[f"{n.name}#v"].astype(np.float64)
            v_prev = np.concatenate([np.zeros_like(v[:1]), v[:-1]])
            beta = _expand(graph, n, "beta", T)
            leak = v_prev if beta is None else beta * v_prev
            th = _expand(graph, n, "threshold", T)
            m = np.abs(leak + cur - th) / (np.abs(leak) + np.abs(cur) + np.abs(th) + 1e-30)
        elif n.op == "threshold" and graph[n.operands[0]].type.dtype.is_float:
            x = trace[n.operands[0]].astype(np.float64)
            th = _expand(graph, n, "threshold", x.shape[0])
            m = np.abs(x - th) / (np.abs(x) + np.abs(th) + 1e-30)
        elif n.op == "multispike":
            x = trace[n.operands[0]].astype(np.float64)
            m = np.abs(x - (np.floor(x) + 0.5)) / (np.abs(x) + 1)
        else:
            continue
        if m.size:
            best = min(best, float(m.min()))
    return best


def outputs(graph: Graph, x) -> dict:
    """Output name → array. (Runs with a trace: the interpreter's free-after-last-use path
    fails on a node that reads one value twice, such as spike_matmul(r, r).)"""
    y = run(graph, x, trace=True)[0]
    return y if isinstance(y, dict) else {graph.outputs[0].name: y}


def compare(before: Graph, after: Graph, x) -> str:
    """"equal" when `after` gives `before`'s outputs (see the module docstring), "tie" when it
    does not but `before`'s run has a tie; raises AssertionError otherwise."""
    y0, trace = run(before, x, trace=True)
    y0 = y0 if isinstance(y0, dict) else {before.outputs[0].name: y0}
    y1 = outputs(after, x)
    assert y0.keys() == y1.keys(), (sorted(y0), sorted(y1))
    bad = []
    for k, a in y0.items():
        b = y1[k]
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            a64, b64 = a.astype(np.float64), b.astype(np.float64)
            if not np.allclose(b64, a64, rtol=TIE, atol=TIE * (1 + np.abs(a64).max(initial=0))):
                bad.append(f"{k}: max |Δ| = {np.abs(a64 - b64).max()}")
        elif not np.array_equal(a, b):
            bad.append(f"{k}: {int((a != b).sum())} of {a.size} values differ")
    if not bad:
        return "equal"
    margin = min_margin(before, trace)
    assert margin < TIE, f"outputs differ without a threshold tie (smallest margin {margin:.3g}): {bad}"
    return "tie"


# ---------------------------------------------------------------------- chains
def _bshape(draw, shape, axis, time_varying=True):
    """(T_p,) + B for a broadcast parameter: per tensor, per channel `axis` or per element."""
    mode = draw(st.sampled_from(["tensor", "channel", "element"]))
    T = draw(st.sampled_from([1, 2, 3])) if time_varying else 1
    if mode == "tensor":
        return (T,) + (1,) * len(shape)
    if mode == "channel":
        return (T,) + tuple(s if i == axis else 1 for i, s in enumerate(shape))
    return (T,) + tuple(shape)


@st.composite
def layer_chains(draw, neurons=("lif", "if", "plif", "cuba_lif"), signs=True):
    """A graph ``input → [scale] → layer → [batchnorm] → neuron → (layer → neuron …) → output``.

    Layers are linear ([F] or [N, F] inputs) or conv2d ([C, H, W]) with int8 levels (static
    or a bank) or float weights, a scale drawn per tensor / channel / element and per
    timestep — with negative and zero entries when `signs` — and an optional bias; the
    batchnorm (on the layer's channel axis) is sometimes shared with a side output so that
    it cannot be folded; neurons draw every reset / compare / v_reset option.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    g = Graph("chain", {"timesteps": 4})
    conv = draw(st.booleans())
    if conv:
        shape = (draw(st.integers(1, 3)), draw(st.integers(2, 5)), draw(st.integers(2, 5)))
    else:
        shape = (draw(st.integers(1, 6)),) if draw(st.booleans()) else (2, draw(st.integers(1, 6)))
    kind = draw(st.sampled_from(["spike", "uint<5>", "f32"]))
    attrs = {"shape": shape, "dtype": kind}
    if kind == "uint<5>":
        attrs["scale"] = 0.0625
    v = g.add("input", attrs=attrs, name="x").name
    if draw(st.booleans()):
        c = rng.uniform(0.02, 0.2, size=(draw(st.sampled_from([1, 2])),) + (1,) * len(shape)).astype(f32)
        v = g.add("scale", [v], params={"scale": c}, name="xs").name
    side = []
    for depth in range(draw(st.integers(1, 2))):
        t = g[v].type
        rank = len(t.shape)
        axis = 0 if conv else rank - 1
        fan_in = t.shape[0] * 9 if conv else t.shape[-1]
        out_c = draw(st.integers(1, 4))
        wshape = (out_c, t.shape[0], 3, 3) if conv else (out_c, t.shape[-1])
        if draw(st.booleans()):
            wshape = (draw(st.sampled_from([2, 3])),) + wshape
        params = {}
        if draw(st.booleans()):
            params["weight"] = rng.integers(-1, 2, size=wshape).astype(np.int8)
        else:
            params["weight"] = (rng.standard_normal(wshape) / np.sqrt(fan_in)).astype(f32)
        out_shape = (out_c,) + t.shape[1:] if conv else t.shape[:-1] + (out_c,)   # conv: 3×3, padding 1
        if params["weight"].dtype == np.int8 or draw(st.integers(0, 4)):     # levels need a float scale
            s = rng.uniform(0.2, 1.5, size=_bshape(draw, out_shape, axis)) * 2 / np.sqrt(fan_in)
            if signs and draw(st.booleans()):
                s *= rng.choice([-1.0, 0.0, 1.0, 1.0], size=s.shape)
            params["scale"] = s.astype(f32)
        if draw(st.booleans()):
            params["bias"] = rng.uniform(-0.3, 0.3, size=_bshape(draw, out_shape, axis)).astype(f32)
        attrs = {"padding": (1, 1)} if conv else {}
        v = g.add("conv2d" if conv else "linear", [v], attrs=attrs, params=params, name=f"fc{depth}").name
        if draw(st.booleans()):
            c = out_shape[axis]
            bn = {"mean": rng.uniform(-0.3, 0.3, c), "var": rng.uniform(0.2, 2.0, c),
                  "weight": rng.uniform(-1.5, 1.5, c), "bias": rng.uniform(-0.3, 0.3, c)}
            if draw(st.integers(0, 3)) == 0:
                side.append(v)               # a second user: the batchnorm cannot fold
            v = g.add("batchnorm", [v], attrs={"axis": axis},
                      params={k: a.astype(f32) for k, a in bn.items()}, name=f"bn{depth}").name
        op = draw(st.sampled_from(list(neurons)))
        p = {}
        if op in ("lif", "plif", "cuba_lif"):
            p["beta"] = rng.uniform(0.5, 1.0, size=_bshape(draw, out_shape, axis)).astype(f32)
        if op == "cuba_lif":
            p["alpha"] = rng.uniform(0.3, 0.95, size=_bshape(draw, out_shape, axis)).astype(f32)
        p["threshold"] = rng.uniform(0.3, 1.5, size=_bshape(draw, out_shape, axis)).astype(f32)
        na = {"reset": draw(st.sampled_from(["subtract", "zero", "none"])),
              "compare": draw(st.sampled_from(["ge", "gt"]))}
        if na["reset"] == "zero" and draw(st.booleans()):
            na["v_reset"] = draw(st.sampled_from([-0.25, 0.125]))
        v = g.add(op, [v], attrs=na, params=p, name=f"n{depth}").name
    for s in side:
        g.add("output", [s], name=f"{s}_out")
    g.add("output", [v], name="y")
    verify(g)
    return g


@st.composite
def chains_and_inputs(draw, max_T=6, max_B=3, **kw):
    import strategies
    g = draw(layer_chains(**kw))
    T, B = draw(st.integers(1, max_T)), draw(st.integers(1, max_B))
    return g, draw(strategies.inputs(g, T, B))
