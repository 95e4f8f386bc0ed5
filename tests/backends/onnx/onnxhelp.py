"""Helpers of the onnx target tests: run a graph through ONNX and the reference, and explain
every difference node by node.

`explain(graph, x)` runs the reference interpreter and the ONNX model (exported with
``trace=True``) and walks the nodes in topological order. The target reproduces the
reference's order of float32 operations everywhere except inside the products of
`linear`, `conv2d` and `spike_matmul` on float operands (onnxruntime's accumulation
order). So, node by node:

* a node whose operands are identical must give a bit-identical result, unless it is such
  a float product — then it may differ by at most the float32 accumulation error
  ``2·K·2^-24 · Σ_k |x_k·w_k|`` (times |scale|) plus one ulp of the scale/bias epilogue;
* a float node whose operands differ (by rounding) may differ, by a small relative amount;
* a spiking node (lif, if, plif, cuba_lif, threshold, multispike) whose operands differ may
  flip spikes only at a near-tie: at its first differing timestep t, every flipped element's
  reference pre-spike value (h for neurons, x for threshold, clip(x)+1/2 for multispike) lies
  within the propagated input difference of the threshold (resp. of the rounding point).
  After the first such flip everything downstream may differ; the walk stops there.

Any other difference raises AssertionError naming the node.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from snnc.backends import get_target
from snnc.backends.onnx.runner import OnnxRunner
from snnc.backends.onnx.options import OnnxOptions
from snnc.backends.reference import run as reference_run

F32 = np.float32
REDUCTIONS = ("linear", "conv2d", "spike_matmul")
SPIKING = ("lif", "if", "plif", "cuba_lif", "threshold", "multispike")
ULP = 2.0 ** -23


def onnx_runner(graph, T: int, trace: bool = False, **options) -> OnnxRunner:
    options = {"timesteps": T, **options}
    model = get_target("onnx").export(graph, options, trace=trace)
    return OnnxRunner(model, graph, get_target("onnx").options(options))


def integer_valued(a: np.ndarray) -> bool:
    return a.dtype.kind in "iu" or bool(np.all(a == np.round(a)))


def exact_product(graph, node) -> bool:
    """A linear/conv2d/spike_matmul whose sums are of integers (exact in any order)."""
    ins = graph.operand_types(node)
    if any(t.dtype.is_float for t in ins):
        return False
    return node.op == "spike_matmul" or integer_valued(graph.param(node, "weight"))


def has_float_products(graph) -> bool:
    return any(n.op in REDUCTIONS and not exact_product(graph, n) for n in graph)


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape and the same bits (float32: -0 ≠ +0), or equal integers."""
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return np.array_equal(a.astype(F32).view(np.uint32), b.astype(F32).view(np.uint32))
    return np.array_equal(a, b)


@dataclass
class Explained:
    identical: bool                       # every output bit-identical
    rounding_nodes: list = field(default_factory=list)    # float products that differed
    flip_node: str | None = None          # the first node that flipped spikes at a near-tie
    flips: int = 0                        # spikes flipped there (first differing timestep)
    spikes: int = 0                       # spike values compared (all spiking nodes, before any flip)


def _as_list(y):
    return list(y.values()) if isinstance(y, dict) else [y]


def _product_bound(graph, node, xs_ref) -> np.ndarray:
    """Worst-case |ONNX − reference| of a float product: both round a K-term sum."""
    a = node.attrs
    if node.op == "spike_matmul":
        p, q = (np.abs(x.astype(np.float64)) for x in xs_ref)
        if a["transpose_a"]:
            p = np.swapaxes(p, -1, -2)
        if a["transpose_b"]:
            q = np.swapaxes(q, -1, -2)
        k = p.shape[-1]
        return 2 * k * 2.0 ** -24 * (p @ q) * abs(a["scale"]) + 2 * ULP * np.abs(p @ q) * abs(a["scale"])
    x = np.abs(xs_ref[0].astype(np.float64))
    w = np.abs(graph.param(node, "weight").astype(np.float64))
    bank = w if w.ndim == (3 if node.op == "linear" else 5) else w[None]
    T = x.shape[0]
    if node.op == "linear":
        k = bank.shape[-1]
        mags = np.stack([x[t] @ bank[t % bank.shape[0]].T for t in range(T)])
    else:
        from snnc.backends.reference.kernels.conv import correlate
        k = int(np.prod(bank.shape[-3:]))
        mags = np.stack([correlate(x[t], bank[t % bank.shape[0]], a["stride"], a["padding"], a["dilation"],
                                   a["groups"], np.float64) for t in range(T)])
    s = graph.param(node, "scale")
    if s is not None:
        mags = mags * np.abs(s[np.arange(T) % s.shape[0]].astype(np.float64))[:, None]
    return 2 * k * 2.0 ** -24 * mags * 1.01 + 4 * ULP * mags + 1e-30


def _tparam(graph, node, role, T):
    p = graph.param(node, role)
    return None if p is None else p[np.arange(T) % p.shape[0]].astype(F32)[:, None]


def _justify_flip(graph, node, xs_ref, xs_onnx, ref_tr, y_ref, y_onnx) -> int:
    """Check that the spikes flipped at the node's first differing timestep are near-ties."""
    T = y_ref.shape[0]
    t = int(np.flatnonzero((y_ref != y_onnx).reshape(T, -1).any(axis=1))[0])
    flipped = y_ref[t] != y_onnx[t]
    x_ref, x_onnx = xs_ref[0].astype(np.float64), xs_onnx[0].astype(np.float64)
    dx = np.abs(x_onnx - x_ref)
    if node.op == "multispike":
        c = np.clip(x_ref[t], 0, node.attrs["D"])
        dist = np.abs(c + 0.5 - np.round(c + 0.5))          # distance to the nearest rounding point
        slack = dx[t] + 4 * ULP * (1 + np.abs(c))
    elif node.op == "threshold":
        th = _tparam(graph, node, "threshold", T)[t].astype(np.float64)
        dist = np.abs(x_ref[t] - th)
        slack = dx[t] + 4 * ULP * np.abs(th)
    else:
        # before t the spikes (hence resets) agree: h differs by the propagated input differences,
        # |Δh[t]| ≤ Σ_{t' ≤ t} (t − t' + 1)·|ΔI[t']| for |alpha|, |beta| ≤ 1, plus own rounding.
        th = _tparam(graph, node, "threshold", T)[t].astype(np.float64)
        v_prev = ref_tr[f"{node.name}#v"][t - 1].astype(np.float64) if t else 0.0
        cur = ref_tr[f"{node.name}#i"][t].astype(np.float64) if node.op == "cuba_lif" else x_ref[t]
        beta = 1.0 if node.op == "if" else _tparam(graph, node, "beta", T)[t].astype(np.float64)
        h = beta * v_prev + cur
        for name in ("beta", "alpha"):
            p = graph.param(node, name)
            if p is not None and np.abs(p).max() > 1:
                raise AssertionError(f"%{node.name}: the flip bound assumes |{name}| ≤ 1")
        weights = (t - np.arange(t + 1) + 1).reshape((-1,) + (1,) * (dx.ndim - 1))
        dist = np.abs(h - th)
        slack = (weights * dx[:t + 1]).sum(axis=0) + 8 * (t + 1) * ULP * (np.abs(h) + np.abs(th) + 1e-30)
    bad = flipped & ~(dist <= slack)
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        raise AssertionError(f"%{node.name} ({node.op}) flipped a spike at t={t}, index {i}, which is not a "
                             f"near-tie: distance {dist[i]:.3g} to the threshold vs input difference {slack[i]:.3g}")
    return int(flipped.sum())


def explain(graph, x, **options) -> Explained:
    """Compare ONNX with the reference node by node (module docstring); AssertionError if unexplained."""
    T = next(iter(x.values())).shape[0] if isinstance(x, dict) else x.shape[0]
    y_ref, ref_tr = reference_run(graph, x, trace=True)
    y_onnx, onnx_tr = onnx_runner(graph, T, trace=True, **options).run(x, trace=True)
    out = Explained(identical=all(bits_equal(a, b) for a, b in zip(_as_list(y_onnx), _as_list(y_ref))))
    diverged: set[str] = set()
    for node in graph:
        if node.op == "input":
            continue
        a, b = onnx_tr[node.name], ref_tr[node.name]
        if a.shape != b.shape:
            raise AssertionError(f"%{node.name}: ONNX shape {a.shape} vs reference {b.shape}")
        same = bits_equal(a, b)
        inputs_differ = any(o in diverged for o in node.operands)
        xs_ref = [ref_tr[o] for o in node.operands]
        if node.op in SPIKING and not node.type.dtype.is_float:
            out.spikes += b.size
        if not inputs_differ:
            if same:
                continue
            if node.op in REDUCTIONS and not exact_product(graph, node):
                err = np.abs(a.astype(np.float64) - b)
                bound = _product_bound(graph, node, xs_ref)
                if not (err <= bound).all():
                    i = tuple(np.argwhere(err > bound)[0])
                    raise AssertionError(f"%{node.name} ({node.op}) differs by {err[i]:.3g} at {i}, beyond the "
                                         f"float32 accumulation bound {bound[i]:.3g}")
                out.rounding_nodes.append(node.name)
                diverged.add(node.name)
                continue
            raise AssertionError(f"%{node.name} ({node.op}) differs from the reference although its operands are "
                                 "identical and its float order is the reference's")
        if same:
            continue
        if node.op == "output":
            diverged.add(node.name)
            continue
        if node.type.dtype.is_float:
            err = np.abs(a.astype(np.float64) - b)
            scale = max(1.0, float(np.abs(b).max()))
            if not (err <= 1e-3 * scale).all():
                raise AssertionError(f"%{node.name} ({node.op}) drifted by {err.max():.3g} from rounding "
                                     "differences upstream, more than rounding explains")
            diverged.add(node.name)
            continue
        if node.op in SPIKING:
            out.flip_node = node.name
            out.flips = _justify_flip(graph, node, xs_ref, [onnx_tr[o] for o in node.operands], ref_tr, b, a)
            return out
        raise AssertionError(f"%{node.name} ({node.op}): integer values differ although no spike flipped upstream")
    return out
